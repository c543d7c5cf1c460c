import Foundation
import LurusEvents

/// Every provider's health window, fed by the `llm.usage` consumer and read by the API.
public actor ProviderHealthBoard {
    public let span: TimeInterval
    public let maximumEvents: Int
    private var windows: [String: HealthWindow] = [:]
    /// The consumer's state, for /health: nil when NATS is not configured.
    public private(set) var consumerState: String?
    public private(set) var processed = 0

    public init(span: TimeInterval, maximumEvents: Int) {
        self.span = span
        self.maximumEvents = maximumEvents
    }

    /// Records a usage event: only requests a provider was tried for count.
    public func record(_ usage: UsageRecord, now: Date = Date()) {
        self.processed += 1
        guard let provider = usage.provider, !provider.isEmpty else { return }
        let sample = HealthSample(
            at: Self.date(usage.startedAt) ?? now,
            failed: usage.outcome == .upstreamError || usage.outcome == .streamError,
            latencyMs: usage.latencyMs
        )
        var window = self.windows[provider] ?? HealthWindow(span: self.span, maximumEvents: self.maximumEvents)
        window.record(sample)
        window.prune(now: now)
        self.windows[provider] = window
    }

    /// The provider's summary (zero requests when nothing was heard).
    public func summary(of provider: String, now: Date = Date()) -> HealthSummary {
        (self.windows[provider] ?? HealthWindow(span: self.span, maximumEvents: self.maximumEvents)).summary(now: now)
    }

    public func setConsumerState(_ state: String) {
        self.consumerState = state
    }

    static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
