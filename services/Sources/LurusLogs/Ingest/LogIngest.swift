import Logging
import LurusClickHouse
import LurusEvents
import LurusNATS
import ServiceLifecycle
import Synchronization

/// Moves the gateway's records from LOG_EVENTS (subject `log.write`) into ClickHouse: a durable pull
/// consumer, batches of thousands of rows (or what came in a second), each acknowledged only after
/// ClickHouse took it.
///
/// ClickHouse away: the batch in hand is tried again with a growing pause (up to `maximumBackoff`), nothing
/// is acknowledged and at most one more batch is fetched meanwhile; messages whose ack wait runs out are delivered
/// again and found already stored once the batch is in. A crash loses only acknowledgements, never rows.
public final class LogIngest: Service, Sendable {
    public struct Settings: Sendable {
        public var nats: NATSConfiguration
        public var durableName = "lurus-logs"
        /// Rows per insert at most; an insert goes out sooner when its first row has waited `maximumWait`.
        public var maximumRows = 10_000
        public var maximumWait: Duration = .seconds(1)
        public var ackWait: Duration = .seconds(60)
        public var retryDelay: Duration = .seconds(1)
        public var maximumBackoff: Duration = .seconds(30)

        public init(nats: NATSConfiguration) {
            self.nats = nats
        }
    }

    /// What `/health` shows.
    public struct State: Sendable, Equatable {
        public var connected = false
        public var natsError: String?
        /// The last insert's failure, cleared by the next success.
        public var clickHouseError: String?
        public var insertedTotal = 0
        public var waitingRows = 0
    }

    let settings: Settings
    let writer: LogWriter
    let metrics: LogMetrics
    let logger: Logger
    private let current = Mutex(State())

    public init(settings: Settings, writer: LogWriter, metrics: LogMetrics, logger: Logger) {
        self.settings = settings
        self.writer = writer
        self.metrics = metrics
        self.logger = logger
    }

    public var state: State { self.current.withLock { $0 } }

    private var running: Bool { !Task.isCancelled && !Task.isShuttingDownGracefully }

    public func run() async throws {
        while self.running {
            do {
                try await self.consume()
            } catch {
                self.current.withLock {
                    $0.connected = false
                    $0.natsError = "\(error)"
                }
                self.logger.warning("log ingest stopped; starting again", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.settings.retryDelay) }
        }
    }

    private func consume() async throws {
        let client = try await NATSClient.connect(self.settings.nats, logger: self.logger)
        do {
            let jetStream = JetStream(client: client)
            _ = try await jetStream.ensureStream(EventStreams.log)
            _ = try await jetStream.ensureConsumer(
                ConsumerConfiguration(
                    durableName: self.settings.durableName,
                    filterSubject: EventStreams.logWriteSubject,
                    ackWait: self.settings.ackWait,
                    maxDeliver: -1,
                    maxAckPending: self.settings.maximumRows * 3
                ),
                on: EventStreams.log.name
            )
            let consumer = jetStream.pullConsumer(stream: EventStreams.log.name, name: self.settings.durableName)
            self.current.withLock {
                $0.connected = true
                $0.natsError = nil
            }
            try await self.pump(consumer)
        } catch {
            await client.close()
            throw error
        }
        await client.close()
    }

    /// Fills a batch until it is due, then stores it while the next one fills: one insert at a time (the
    /// look-up of stored ids must see the insert before it), and fetching never waits for ClickHouse.
    private func pump(_ consumer: PullConsumer) async throws {
        var due = try await self.fill(from: consumer)
        while self.running {
            let storing = due
            async let stored = self.store(storing)
            let next = try await self.fill(from: consumer)
            guard try await stored else {
                due = next
                break
            }
            due = next
        }
        // Shutting down: what is in hand goes in if ClickHouse takes it at once; otherwise it is delivered
        // again to the next run.
        if !due.isEmpty {
            _ = try? await self.insert(due)
        }
    }

    /// Fetches into a new batch until it is due or the service stops.
    private func fill(from consumer: PullConsumer) async throws -> IngestBatch<JetStreamDelivery> {
        let clock = ContinuousClock()
        var batch = IngestBatch<JetStreamDelivery>()
        while self.running {
            let now = clock.now
            if batch.isDue(at: now, maximumRows: self.settings.maximumRows, maximumWait: self.settings.maximumWait) {
                break
            }
            let wait = batch.remainingWait(at: now, maximumWait: self.settings.maximumWait)
            // At most 100 ms a fetch, so that a batch turning busy (IngestBatch.busyRows) is seen in time. Rows
            // count as waiting from when the fetch that brought them began: they may have come at once.
            let asked = clock.now
            let deliveries = try await consumer.fetch(
                batch: self.settings.maximumRows - batch.tickets.count,
                expires: min(max(wait, .milliseconds(20)), .milliseconds(100))
            )
            for delivery in deliveries {
                batch.add(self.row(of: delivery), ticket: delivery, at: asked)
            }
        }
        return batch
    }

    /// The row of an event, or nil (counted, logged, and acknowledged with its batch: it can never be read) when it cannot be read.
    private func row(of delivery: JetStreamDelivery) -> LogRow? {
        do {
            let record = try UsageRecord.decode(delivery.payload)
            if let row = LogRow(record) { return row }
            self.logger.error(
                "log event has an unreadable started_at; dropped",
                metadata: ["started_at": "\(record.startedAt)", "request_id": "\(record.requestId)"]
            )
        } catch {
            self.logger.error(
                "log event cannot be read; dropped",
                metadata: ["error": "\(error)", "message_id": "\(delivery.messageID ?? "-")"]
            )
        }
        self.metrics.undecodable.increment()
        return nil
    }

    /// Stores the batch, trying again with a growing pause while ClickHouse does not take it; false when the
    /// service is stopping before it could (nothing acknowledged).
    private func store(_ batch: IngestBatch<JetStreamDelivery>) async throws -> Bool {
        var pause = self.settings.retryDelay
        self.current.withLock { $0.waitingRows = batch.rows.count }
        defer { self.current.withLock { $0.waitingRows = 0 } }
        while self.running {
            if try await self.insert(batch) { return true }
            let wait = pause
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: wait) }
            pause = min(pause * 2, self.settings.maximumBackoff)
        }
        return false
    }

    /// One try: look up, insert, acknowledge. Whether ClickHouse took it.
    private func insert(_ batch: IngestBatch<JetStreamDelivery>) async throws -> Bool {
        let started = ContinuousClock.now
        let outcome: LogWriter.Outcome
        do {
            outcome = try await self.writer.write(batch.rows)
        } catch {
            self.metrics.insertFailures.increment()
            self.current.withLock { $0.clickHouseError = error.description }
            self.logger.error(
                "ClickHouse did not take a batch; trying again",
                metadata: ["error": "\(error)", "rows": "\(batch.rows.count)"]
            )
            return false
        }
        let now = ContinuousClock.now
        self.metrics.insertDuration.record(now - started)
        self.logger.debug(
            "batch stored",
            metadata: [
                "rows": "\(outcome.inserted)", "already_stored": "\(outcome.alreadyStored)",
                "waited_ms": "\((batch.age(at: started)).milliseconds)", "insert_ms": "\((now - started).milliseconds)",
            ]
        )
        self.metrics.batchRows.record(Double(outcome.inserted))
        self.metrics.inserted.increment(by: Int64(outcome.inserted))
        self.metrics.duplicates.increment(by: Int64(outcome.alreadyStored + batch.duplicatesWithin))
        self.current.withLock {
            $0.clickHouseError = nil
            $0.insertedTotal += outcome.inserted
        }
        // The rows are stored: acknowledge everything fetched for them (unreadable events too: no retry reads them),
        // all at once; a lost acknowledgement only means a redelivery the look-up catches.
        try await JetStreamDelivery.ack(batch.tickets)
        return true
    }
}
