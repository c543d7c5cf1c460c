import Foundation
import Logging
import LurusEvents
import LurusNATS
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Publishes usage records to NATS JetStream with acknowledgements, spooling to disk what NATS
/// cannot take and replaying it, in order, when NATS is back.
///
/// Records arrive through `submit`, which never waits. One connection is kept; when it is lost,
/// records go to the spool until a new connection has declared the streams and replayed it.
/// The request id is each message's JetStream id, so a replay after a partial publish de-duplicates.
///
/// The publisher runs on a thread of its own (`publishingLoop`): the NATS connection, the batching
/// timer, the acknowledgements and the spool's file I/O and fsyncs never hold up an event loop that
/// serves requests, even while a long outage is spooled or replayed.
public actor UsagePublisher: Service {
    /// One thread for every publisher in the process, never shut down (like NIO's singletons).
    static let publishingLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    private let natsConfiguration: NATSConfiguration
    private let logger: Logger
    private let metrics: GatewayMetrics
    /// The publisher's thread: its executor, the NATS connection's and the batching timer's.
    private let eventLoop: any EventLoop
    private let gathering = Mutex(Gathering())
    private let batches: AsyncStream<[UsageRecord]>
    private let batchContinuation: AsyncStream<[UsageRecord]>.Continuation
    private var spool: UsageSpool
    private var client: NATSClient?
    private var jetStream: JetStream?
    private var replaying = false

    /// Records waiting for their batch to go out.
    struct Gathering {
        var records: [UsageRecord] = []
        var timerSet = false
    }

    public init(
        natsConfiguration: NATSConfiguration,
        spoolDirectory: String,
        metrics: GatewayMetrics,
        logger: Logger
    ) throws(SpoolError) {
        self.natsConfiguration = natsConfiguration
        self.logger = logger
        self.metrics = metrics
        self.eventLoop = Self.publishingLoop.next()
        (self.batches, self.batchContinuation) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
        self.spool = try UsageSpool(directory: spoolDirectory)
    }

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        self.eventLoop.executor.asUnownedSerialExecutor()
    }

    /// Queues a record for publication; returns at once. The first record of a batch sets a
    /// timer: the batch goes out `linger` later, or as soon as it holds `batchLimit` records.
    public nonisolated func submit(_ record: UsageRecord) {
        enum Next {
            case wait, setTimer
            case send([UsageRecord])
        }
        let next = self.gathering.withLock { gathering -> Next in
            gathering.records.append(record)
            if gathering.records.count >= Self.batchLimit {
                defer { gathering.records = [] }
                return .send(gathering.records)
            }
            if gathering.timerSet { return .wait }
            gathering.timerSet = true
            return .setTimer
        }
        switch next {
        case .wait:
            break
        case .setTimer:
            self.eventLoop.scheduleTask(in: TimeAmount(Self.linger)) { self.sendGathered() }
        case .send(let batch):
            self.batchContinuation.yield(batch)
        }
    }

    /// Sends the records gathered so far as a batch.
    private nonisolated func sendGathered() {
        let batch = self.gathering.withLock { gathering in
            gathering.timerSet = false
            defer { gathering.records = [] }
            return gathering.records
        }
        if !batch.isEmpty {
            self.batchContinuation.yield(batch)
        }
    }

    /// Whether a connection to NATS is up, and whether the spool holds events.
    public var state: (connected: Bool, spoolEmpty: Bool) {
        (self.client?.isConnected ?? false, self.spool.isEmpty)
    }

    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.maintainConnection() }
            await withGracefulShutdownHandler {
                await self.publishAll()
            } onGracefulShutdown: {
                self.sendGathered()
                self.batchContinuation.finish()
            }
            group.cancelAll()
            await self.client?.close()
        }
        self.logger.info("usage publisher stopped", metadata: ["spool_empty": "\(self.spool.isEmpty)"])
    }

    // MARK: Records

    /// A batch's first record waits this long for others to join it: each batch is one write to
    /// NATS and one wake-up of the server, not three per request. Records reach NATS this much
    /// later; nothing waits for them.
    static let linger: Duration = .milliseconds(5)
    /// A batch goes out at once when it holds this many records.
    static let batchLimit = 64
    /// Up to this many batches wait for their acknowledgements at once.
    static let batchesInFlight = 8

    /// Decides each batch's way in arrival order (so the spool keeps request order); only the
    /// waits for acknowledgements overlap.
    private func publishAll() async {
        await withTaskGroup(of: Void.self) { group in
            var inFlight = 0
            for await batch in self.batches {
                guard let (messages, jetStream) = self.route(batch) else { continue }
                if inFlight == Self.batchesInFlight {
                    await group.next()
                    inFlight -= 1
                }
                group.addTask { await self.publish(messages, to: jetStream) }
                inFlight += 1
            }
        }
    }

    /// The batch's events, or nil when they went to the spool (NATS down, or the spool not yet
    /// replayed: events stay in order).
    private func route(_ records: [UsageRecord]) -> (messages: [SpooledMessage], jetStream: JetStream)? {
        let messages = records.flatMap { record in
            let payload = String(decoding: record.encoded(), as: UTF8.self)
            return EventStreams.usageSubjects.map {
                SpooledMessage(subject: $0, id: record.requestId, payload: payload)
            }
        }
        guard self.spool.isEmpty, let jetStream = self.jetStream, self.client?.isConnected == true else {
            self.toSpool(messages)
            return nil
        }
        return (messages, jetStream)
    }

    /// Publishes a batch's events in one write; what JetStream does not acknowledge goes to the
    /// spool.
    private func publish(_ messages: [SpooledMessage], to jetStream: JetStream) async {
        let acks = await jetStream.publish(messages.map(\.jetStreamMessage))
        let failed = zip(messages, acks).compactMap { message, ack in
            if case .failure = ack { return message } else { return nil }
        }
        self.metrics.usagePublished.increment(by: Int64(messages.count - failed.count))
        if !failed.isEmpty {
            self.toSpool(failed)
        }
    }

    private func toSpool(_ messages: [SpooledMessage]) {
        do {
            try self.spool.append(messages)
            self.metrics.usageSpooled.increment(by: Int64(messages.count))
        } catch {
            self.logger.error(
                "usage events lost: \(error)",
                metadata: ["request_id": "\(messages.first?.id ?? "")"]
            )
            self.metrics.usageLost.increment(by: Int64(messages.count))
        }
    }

    // MARK: Connection

    private func maintainConnection() async {
        var failures = 0
        while !Task.isCancelled {
            if let client = self.client {
                if client.isConnected {
                    // Retries a replay that paused on an error, and notices a lost connection.
                    if !self.spool.isEmpty { await self.replay() }
                    try? await Task.sleep(for: .milliseconds(250))
                    continue
                }
                self.logger.warning("NATS connection lost; spooling usage events")
                self.disconnected()
                continue
            }
            do {
                try await self.connect()
                failures = 0
                await self.replay()
            } catch {
                if failures == 0 {
                    self.logger.warning(
                        "NATS unavailable; spooling usage events",
                        metadata: ["error": "\(error)"]
                    )
                }
                failures += 1
                try? await Task.sleep(for: .milliseconds(min(250 * failures, 2000)))
            }
        }
    }

    private func connect() async throws {
        let client = try await NATSClient.connect(self.natsConfiguration, on: self.eventLoop, logger: self.logger)
        let jetStream = JetStream(client: client)
        do {
            for definition in EventStreams.definitions {
                let result = try await jetStream.ensureStream(definition)
                if result != .unchanged {
                    self.logger.info("stream \(definition.name) \(result)")
                }
            }
        } catch {
            await client.close()
            throw error
        }
        self.client = client
        self.jetStream = jetStream
        self.metrics.natsConnected.set(to: 1)
        self.logger.info("NATS connected", metadata: ["host": "\(self.natsConfiguration.host)"])
    }

    private func disconnected() {
        self.client = nil
        self.jetStream = nil
        self.metrics.natsConnected.set(to: 0)
    }

    /// Publishes the spool in order, a batch at a time, recording progress up to the first event
    /// not acknowledged (the rest is retried; JetStream de-duplicates what did arrive).
    private func replay() async {
        guard !self.replaying else { return }
        self.replaying = true
        defer { self.replaying = false }
        var replayed = 0
        while let jetStream = self.jetStream {
            let batch: [(message: SpooledMessage, end: UInt64)]
            do {
                batch = try self.spool.pending(limit: 256)
            } catch {
                self.logger.error("cannot read the usage spool: \(error)")
                return
            }
            guard !batch.isEmpty else { break }
            let acks = await jetStream.publish(batch.map(\.message.jetStreamMessage))
            let delivered = acks.prefix { if case .success = $0 { true } else { false } }.count
            if delivered > 0 {
                do {
                    try self.spool.acknowledge(upTo: batch[delivered - 1].end)
                } catch {
                    self.logger.warning("spool replay paused: \(error)")
                    return
                }
                replayed += delivered
                self.metrics.usageReplayed.increment(by: Int64(delivered))
            }
            if delivered < batch.count, case .failure(let error) = acks[delivered] {
                self.logger.warning("spool replay paused: \(error)")
                return
            }
        }
        if replayed > 0 {
            self.logger.info("usage spool replayed", metadata: ["events": "\(replayed)"])
        }
    }
}
