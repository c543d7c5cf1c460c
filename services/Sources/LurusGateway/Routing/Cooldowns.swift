import Synchronization

/// Providers resting after provider-side failures, until a given instant.
public final class Cooldowns: Sendable {
    private let until: Mutex<[String: ContinuousClock.Instant]> = Mutex([:])

    public init() {}

    /// Rests `provider` for `duration` (extending, never shortening, a rest already running).
    public func coolDown(_ provider: String, for duration: Duration, now: ContinuousClock.Instant = .now) {
        let end = now + duration
        self.until.withLock { until in
            if let current = until[provider], current >= end { return }
            until[provider] = end
        }
    }

    /// How long `provider` still rests, or nil when it is available.
    public func remaining(_ provider: String, now: ContinuousClock.Instant = .now) -> Duration? {
        self.until.withLock { until in
            guard let end = until[provider] else { return nil }
            if end <= now {
                until[provider] = nil
                return nil
            }
            return end - now
        }
    }
}
