import Foundation
import Logging
import LurusNATS
import ServiceLifecycle

/// Publishes usage records to NATS JetStream with acknowledgements, spooling to disk what NATS
/// cannot take and replaying it, in order, when NATS is back.
///
/// Records arrive through `submit`, which never waits. One connection is kept; when it is lost,
/// records go to the spool until a new connection has declared the streams and replayed it.
/// The request id is each message's JetStream id, so a replay after a partial publish de-duplicates.
public actor UsagePublisher: Service {
    private let natsConfiguration: NATSConfiguration
    private let logger: Logger
    private let metrics: GatewayMetrics
    private let records: AsyncStream<UsageRecord>
    private let continuation: AsyncStream<UsageRecord>.Continuation
    private var spool: UsageSpool
    private var client: NATSClient?
    private var jetStream: JetStream?
    private var replaying = false

    public init(
        natsConfiguration: NATSConfiguration,
        spoolDirectory: String,
        metrics: GatewayMetrics,
        logger: Logger
    ) throws(SpoolError) {
        self.natsConfiguration = natsConfiguration
        self.logger = logger
        self.metrics = metrics
        (self.records, self.continuation) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
        self.spool = try UsageSpool(directory: spoolDirectory)
    }

    /// Queues a record for publication; returns at once.
    public nonisolated func submit(_ record: UsageRecord) {
        self.continuation.yield(record)
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
                self.continuation.finish()
            }
            group.cancelAll()
            await self.client?.close()
        }
        self.logger.info("usage publisher stopped", metadata: ["spool_empty": "\(self.spool.isEmpty)"])
    }

    // MARK: Records

    /// Up to this many records wait for their acknowledgements at once. One at a time would cap
    /// the gateway at one acknowledgement round trip per request.
    static let recordsInFlight = 32

    /// Decides each record's way in arrival order (so the spool keeps request order); only the
    /// waits for acknowledgements overlap.
    private func publishAll() async {
        await withTaskGroup(of: Void.self) { group in
            var inFlight = 0
            for await record in self.records {
                let payload = String(decoding: record.encoded(), as: UTF8.self)
                let messages = EventStreams.usageSubjects.map {
                    SpooledMessage(subject: $0, id: record.requestId, payload: payload)
                }
                guard self.spool.isEmpty, let jetStream = self.jetStream, self.client?.isConnected == true else {
                    self.toSpool(messages)
                    continue
                }
                if inFlight == Self.recordsInFlight {
                    await group.next()
                    inFlight -= 1
                }
                group.addTask { await self.publish(messages, to: jetStream) }
                inFlight += 1
            }
        }
    }

    /// Publishes one record's events; what JetStream does not acknowledge goes to the spool.
    private func publish(_ messages: [SpooledMessage], to jetStream: JetStream) async {
        let failed = await withTaskGroup(of: (Int, Bool).self) { group in
            for (index, message) in messages.enumerated() {
                group.addTask {
                    let ack = try? await jetStream.publish(
                        message.subject,
                        payload: Array(message.payload.utf8),
                        messageID: message.id
                    )
                    return (index, ack != nil)
                }
            }
            var failed: [Int] = []
            for await (index, published) in group where !published {
                failed.append(index)
            }
            return failed.sorted()
        }
        self.metrics.usagePublished.increment(by: Int64(messages.count - failed.count))
        if !failed.isEmpty {
            self.toSpool(failed.map { messages[$0] })
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
        let client = try await NATSClient.connect(self.natsConfiguration, logger: self.logger)
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

    /// Publishes the spool in order, one acknowledged event at a time, recording progress.
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
            for entry in batch {
                do {
                    _ = try await jetStream.publish(
                        entry.message.subject,
                        payload: Array(entry.message.payload.utf8),
                        messageID: entry.message.id
                    )
                    try self.spool.acknowledge(upTo: entry.end)
                    replayed += 1
                } catch {
                    self.logger.warning("spool replay paused: \(error)")
                    return
                }
            }
            self.metrics.usageReplayed.increment(by: Int64(batch.count))
        }
        if replayed > 0 {
            self.logger.info("usage spool replayed", metadata: ["events": "\(replayed)"])
        }
    }
}
