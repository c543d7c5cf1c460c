import Logging
import LurusEvents
import LurusNATS
import ServiceLifecycle
import Synchronization

/// Settles the gateway's usage events exactly once: a durable pull consumer on BILLING_EVENTS
/// (subject `billing.usage` exactly), each fetched batch in one database transaction, acknowledged only
/// after it committed.
///
/// A crash between commit and acknowledgement redelivers the batch, and the ledger's unique request id
/// turns it into duplicates; a replay of the gateway's spool long after the stream's duplicate window does
/// the same. So a request is charged once however often its event arrives.
public final class UsageConsumer: Service, Sendable {
    public struct Settings: Sendable {
        public var nats: NATSConfiguration
        public var durableName: String = "billing"
        public var batchSize: Int = 500
        /// How long a fetched batch may stay unacknowledged before the server sends it again.
        public var ackWait: Duration = .seconds(30)
        public var fetchWait: Duration = .seconds(1)
        public var retryDelay: Duration = .seconds(1)

        public init(nats: NATSConfiguration) {
            self.nats = nats
        }
    }

    /// What `/health` shows.
    public struct State: Sendable, Equatable {
        public var connected = false
        public var lastError: String?
        public var settledTotal = 0
    }

    let settings: Settings
    let store: BillingStore
    let metrics: BillingMetrics
    let logger: Logger
    private let current = Mutex(State())

    public init(settings: Settings, store: BillingStore, metrics: BillingMetrics, logger: Logger) {
        self.settings = settings
        self.store = store
        self.metrics = metrics
        self.logger = logger
    }

    public var state: State { self.current.withLock { $0 } }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await self.consume()
            } catch {
                self.current.withLock {
                    $0.connected = false
                    $0.lastError = "\(error)"
                }
                self.logger.warning("usage consumer stopped; starting again", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.settings.retryDelay) }
        }
    }

    private func consume() async throws {
        let client = try await NATSClient.connect(self.settings.nats, logger: self.logger)
        do {
            let jetStream = JetStream(client: client)
            _ = try await jetStream.ensureStream(EventStreams.billing)
            _ = try await jetStream.ensureConsumer(
                ConsumerConfiguration(
                    durableName: self.settings.durableName,
                    filterSubject: EventStreams.billingUsageSubject,
                    ackWait: self.settings.ackWait,
                    maxDeliver: -1,
                    maxAckPending: max(1000, self.settings.batchSize * 4)
                ),
                on: EventStreams.billing.name
            )
            let consumer = jetStream.pullConsumer(stream: EventStreams.billing.name, name: self.settings.durableName)
            self.current.withLock {
                $0.connected = true
                $0.lastError = nil
            }
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                let deliveries = try await consumer.fetch(
                    batch: self.settings.batchSize,
                    expires: self.settings.fetchWait
                )
                if !deliveries.isEmpty {
                    try await self.settle(deliveries)
                }
            }
        } catch {
            await client.close()
            throw error
        }
        await client.close()
    }

    /// One batch: decode, settle in one transaction, then acknowledge. A failed transaction acknowledges
    /// nothing and asks for the batch again after a delay.
    func settle(_ deliveries: [JetStreamDelivery]) async throws {
        var charges: [UsageCharge] = []
        var readable: [JetStreamDelivery] = []
        for delivery in deliveries {
            do {
                charges.append(UsageCharge(try UsageRecord.decode(delivery.payload)))
                readable.append(delivery)
            } catch {
                // It can never be read: redelivering it would block nothing but fill the log forever.
                self.metrics.poison.increment()
                self.logger.error(
                    "usage event cannot be read; terminated",
                    metadata: ["error": "\(error)", "message_id": "\(delivery.messageID ?? "-")"]
                )
                try await delivery.term()
            }
        }
        let started = ContinuousClock.now
        let summary: SettlementSummary
        do {
            summary = try await self.store.settle(UsageCharge.lockOrder(charges))
        } catch {
            self.metrics.settleFailures.increment()
            self.logger.error(
                "settling a batch failed; it will be delivered again",
                metadata: ["error": "\(String(reflecting: error))"]
            )
            for delivery in readable {
                try? await delivery.nak(delay: self.settings.retryDelay)
            }
            return
        }
        self.metrics.settleDuration.record(ContinuousClock.now - started)
        // All at once: each is a write on the one connection, none waits for the one before.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for delivery in readable {
                group.addTask { try await delivery.ack() }
            }
            try await group.waitForAll()
        }
        self.metrics.settled.increment(by: Int64(summary.settled))
        self.metrics.duplicates.increment(by: Int64(summary.duplicates))
        self.metrics.unattributed.increment(by: Int64(summary.unattributed))
        self.metrics.shortfall.increment(by: summary.shortfall.value)
        self.current.withLock { $0.settledTotal += summary.settled }
        if summary.shortfall.value > 0 || summary.unattributed > 0 {
            self.logger.warning(
                "usage not fully charged",
                metadata: ["shortfall": "\(summary.shortfall)", "unattributed": "\(summary.unattributed)"]
            )
        }
    }
}
