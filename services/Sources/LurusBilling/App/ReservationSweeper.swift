import Logging
import ServiceLifecycle
import Synchronization

/// Releases expired holds every `interval`; its last outcome is also the database's health.
final class ReservationSweeper: Service, Sendable {
    let store: BillingStore
    let interval: Duration
    let metrics: BillingMetrics
    let logger: Logger
    /// The last sweep's error, nil when it worked; "not yet" before the first.
    private let last = Mutex<String?>("no sweep yet")

    init(store: BillingStore, interval: Duration, metrics: BillingMetrics, logger: Logger) {
        self.store = store
        self.interval = interval
        self.metrics = metrics
        self.logger = logger
    }

    var lastError: String? { self.last.withLock { $0 } }

    func sweep() async {
        do {
            let released = try await self.store.expireReservations()
            self.metrics.expired.increment(by: Int64(released))
            if released > 0 {
                self.logger.info("expired holds released", metadata: ["count": "\(released)"])
            }
            self.last.withLock { $0 = nil }
        } catch {
            self.last.withLock { $0 = "\(error)" }
            self.logger.warning("releasing expired holds failed", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await self.sweep()
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
        }
    }
}
