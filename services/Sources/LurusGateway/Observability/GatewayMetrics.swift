import Prometheus

/// The gateway's Prometheus metrics. Labels stay low-cardinality: provider and model come from the
/// catalog (unknown models are counted as "unknown"), platform is one of four, status a class.
public final class GatewayMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let usagePublished: Counter
    let usageSpooled: Counter
    let usageReplayed: Counter
    let usageLost: Counter
    let natsConnected: Gauge

    static let latencyBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
        .seconds(30), .seconds(60), .seconds(120),
    ]

    /// `lurus_gateway_NAME_UNIT` with its help text.
    static func name(_ name: String, unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "lurus", subsystem: "gateway", metricName: name, unitName: unit, helpText: help)
    }

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        self.usagePublished = registry.makeCounter(
            descriptor: Self.name("usage_events_published", unit: "total", "Usage events acknowledged by JetStream.")
        )
        self.usageSpooled = registry.makeCounter(
            descriptor: Self.name("usage_events_spooled", unit: "total", "Usage events written to the local spool.")
        )
        self.usageReplayed = registry.makeCounter(
            descriptor: Self.name("usage_events_replayed", unit: "total", "Spooled usage events published later.")
        )
        self.usageLost = registry.makeCounter(
            descriptor: Self.name("usage_events_lost", unit: "total", "Usage events neither published nor spooled.")
        )
        self.natsConnected = registry.makeGauge(
            descriptor: Self.name("nats_connected", unit: "", "1 while the gateway holds a NATS connection.")
        )
    }

    /// Records a finished request.
    func request(_ record: UsageRecord) {
        let labels = [
            ("platform", record.platform), ("provider", record.provider ?? "none"), ("model", record.model),
            ("status_class", "\(record.status / 100)xx"),
        ]
        self.registry.makeCounter(
            descriptor: Self.name("requests", unit: "total", "Requests by outcome class."),
            labels: labels
        ).increment()
        if record.status >= 400 || record.outcome != "ok" {
            self.registry.makeCounter(
                descriptor: Self.name("errors", unit: "total", "Requests that ended in an error."),
                labels: labels + [("outcome", record.outcome)]
            ).increment()
        }
        let short = Array(labels.prefix(3))
        self.registry.makeDurationHistogram(
            descriptor: Self.name("request_duration", unit: "seconds", "Time from request to the end of the answer."),
            labels: short,
            buckets: Self.latencyBuckets
        ).record(Duration.microseconds(Int64(record.latencyMs * 1000)))
        if let ttft = record.ttftMs {
            self.registry.makeDurationHistogram(
                descriptor: Self.name(
                    "time_to_first_token",
                    unit: "seconds",
                    "Time from request to the first content sent."
                ),
                labels: short,
                buckets: Self.latencyBuckets
            ).record(Duration.microseconds(Int64(ttft * 1000)))
        }
        guard let provider = record.provider else { return }
        let tokenLabels = [("provider", provider), ("model", record.model)]
        for (direction, count) in [
            ("input", record.inputTokens), ("output", record.outputTokens), ("cache_read", record.cacheReadTokens),
            ("cache_write", record.cacheWriteTokens),
        ] where count > 0 {
            self.registry.makeCounter(
                descriptor: Self.name("tokens", unit: "total", "Tokens as reported by providers."),
                labels: tokenLabels + [("direction", direction)]
            ).increment(by: Int64(count))
        }
        if record.costUsd > 0 {
            self.registry.makeCounter(
                descriptor: Self.name("cost_usd", unit: "total", "Cost in USD at catalog prices."),
                labels: tokenLabels
            ).increment(by: record.costUsd)
        }
    }

    /// Records a failed attempt that moved on to the next provider.
    func failover(provider: String, model: String, reason: String) {
        self.registry.makeCounter(
            descriptor: Self.name("failovers", unit: "total", "Attempts abandoned for the next provider."),
            labels: [("provider", provider), ("model", model), ("reason", reason)]
        ).increment()
    }
}
