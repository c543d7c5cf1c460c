import Foundation
import LLMWire

/// One request's outcome as the health window keeps it.
public struct HealthSample: Sendable, Equatable {
    public var at: Date
    public var failed: Bool
    public var latencyMs: Double

    public init(at: Date, failed: Bool, latencyMs: Double) {
        self.at = at
        self.failed = failed
        self.latencyMs = latencyMs
    }
}

/// A provider's recent requests: the last `maximumEvents` within `span`. Pure: the consumer feeds
/// it, the API reads its ``summary(now:)``.
public struct HealthWindow: Sendable, Equatable {
    public let span: TimeInterval
    public let maximumEvents: Int
    /// Oldest first.
    private(set) var samples: [HealthSample] = []

    public init(span: TimeInterval, maximumEvents: Int) {
        self.span = span
        self.maximumEvents = maximumEvents
    }

    /// Adds a sample (replayed ones may be older than the newest: they are put in order).
    public mutating func record(_ sample: HealthSample) {
        if let last = self.samples.last, last.at > sample.at {
            let index = self.samples.firstIndex { $0.at > sample.at } ?? self.samples.endIndex
            self.samples.insert(sample, at: index)
        } else {
            self.samples.append(sample)
        }
        if self.samples.count > self.maximumEvents {
            self.samples.removeFirst(self.samples.count - self.maximumEvents)
        }
    }

    /// Forgets what is older than the span.
    public mutating func prune(now: Date) {
        let horizon = now.addingTimeInterval(-self.span)
        if let keep = self.samples.firstIndex(where: { $0.at >= horizon }) {
            self.samples.removeFirst(keep)
        } else {
            self.samples.removeAll()
        }
    }

    /// Requests, failure rate and latency percentiles of the samples within the span.
    public func summary(now: Date) -> HealthSummary {
        let horizon = now.addingTimeInterval(-self.span)
        let recent = self.samples.filter { $0.at >= horizon }
        let latencies = recent.map(\.latencyMs).sorted()
        let failures = recent.filter(\.failed).count
        return HealthSummary(
            requests: recent.count,
            failures: failures,
            failureRate: recent.isEmpty ? 0 : Double(failures) / Double(recent.count),
            p50LatencyMs: Self.percentile(0.50, of: latencies),
            p95LatencyMs: Self.percentile(0.95, of: latencies),
            windowSeconds: Int(self.span),
            lastAt: recent.last?.at
        )
    }

    /// Nearest-rank percentile of sorted values; nil for none.
    static func percentile(_ fraction: Double, of sorted: [Double]) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}

/// What the health window says of a provider.
public struct HealthSummary: Sendable, Equatable {
    public var requests: Int
    public var failures: Int
    /// Failures (upstream_error, stream_error) over requests, 0 without requests.
    public var failureRate: Double
    public var p50LatencyMs: Double?
    public var p95LatencyMs: Double?
    public var windowSeconds: Int
    public var lastAt: Date?

    public var json: JSONValue {
        .object([
            "requests": .integer(self.requests),
            "failures": .integer(self.failures),
            "failure_rate": .number(self.failureRate),
            "p50_latency_ms": self.p50LatencyMs.map(JSONValue.number) ?? .null,
            "p95_latency_ms": self.p95LatencyMs.map(JSONValue.number) ?? .null,
            "window_seconds": .integer(self.windowSeconds),
            "last_at": self.lastAt.map { .string($0.formatted(.iso8601)) } ?? .null,
        ])
    }
}
