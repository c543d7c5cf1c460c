import Logging
import ServiceLifecycle

/// Refreshes an issuer's keys every `interval` while the service runs, so a rotated key is known
/// before the first token signed with it arrives.
public struct OIDCKeyRefresher: Service {
    public let keys: OIDCKeySet
    public let interval: Duration

    /// Creates the refresher.
    public init(keys: OIDCKeySet, interval: Duration) {
        self.keys = keys
        self.interval = interval
    }

    public func run() async throws {
        await self.keys.refresh()
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
            } catch {
                return
            }
            await self.keys.refresh()
        }
    }
}
