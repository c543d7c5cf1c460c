import Logging
import PostgresNIO
import ServiceLifecycle

/// What /health reports of the database: migrations applied, and the last time it answered.
public actor ServiceState {
    public private(set) var migrated = false
    public private(set) var databaseAnsweredAt: ContinuousClock.Instant?
    public private(set) var databaseProblem: String?

    public init() {}

    func setMigrated() { self.migrated = true }

    func databaseAnswered() {
        self.databaseAnsweredAt = ContinuousClock().now
        self.databaseProblem = nil
    }

    func databaseFailed(_ problem: String) { self.databaseProblem = problem }

    /// Whether the database answered within `recently`.
    public func databaseReachable(within recently: Duration = .seconds(30)) -> Bool {
        guard let at = self.databaseAnsweredAt else { return false }
        return ContinuousClock().now - at < recently
    }
}

/// Asks the database for a round trip every `interval`, so /health knows it is reachable
/// without a query of its own.
public struct DatabaseProbe: Service {
    let store: ProviderStore
    let state: ServiceState
    let interval: Duration
    let logger: Logger

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await self.store.ping()
                await self.state.databaseAnswered()
            } catch {
                await self.state.databaseFailed(String(reflecting: error))
                self.logger.warning("PostgreSQL does not answer", metadata: ["error": "\(String(reflecting: error))"])
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
            } catch {
                return
            }
        }
    }
}
