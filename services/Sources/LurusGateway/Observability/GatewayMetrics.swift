import LurusEvents
import Prometheus
import Synchronization

/// The gateway's Prometheus metrics. Labels stay low-cardinality: provider and model come from the
/// catalog (unknown models are counted as "unknown"), platform is one of four, status a class.
public final class GatewayMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let usagePublished: Counter
    let usageSpooled: Counter
    let usageReplayed: Counter
    let usageLost: Counter
    let natsConnected: Gauge
    /// Proxied requests begun and not yet accounted (streams count until their last byte).
    let inFlight: Gauge

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
        self.inFlight = registry.makeGauge(
            descriptor: Self.name("requests_in_flight", unit: "", "Proxied requests begun and not yet finished.")
        )
    }

    /// A proxied request begins; `request(_:)` ends it.
    func begin() { self.inFlight.increment() }

    private let availability = Mutex<[String: Gauge]>([:])

    /// Sets `lurus_gateway_provider_available{provider}` to 1 for each provider of the catalog that may be
    /// tried now and 0 for each resting after errors; providers gone from the catalog are dropped. Read
    /// when Prometheus scrapes, since a rest ends by itself.
    public func providerAvailability(_ available: [String: Bool]) {
        self.availability.withLock { gauges in
            for (provider, gauge) in gauges where available[provider] == nil {
                self.registry.unregisterGauge(gauge)
                gauges[provider] = nil
            }
            for (provider, isAvailable) in available {
                let gauge =
                    gauges[provider]
                    ?? self.registry.makeGauge(
                        descriptor: Self.name(
                            "provider_available",
                            unit: "",
                            "1 while a provider may be tried, 0 while it rests after errors."
                        ),
                        labels: [("provider", provider)]
                    )
                gauges[provider] = gauge
                gauge.set(Int64(isAvailable ? 1 : 0))
            }
        }
    }

    /// The metrics of one label set, made once: asking the registry for them on every request
    /// costs a lock and label comparisons for each.
    struct Series: Sendable {
        struct Key: Hashable {
            var platform: String
            var provider: String?
            var model: String
            var statusClass: Int
        }

        let requests: Counter
        let duration: DurationHistogram
        let timeToFirstToken: DurationHistogram
        /// Input, output, cache read, cache write; none for requests no provider answered.
        let tokens: [Counter]
        let cost: Counter?
    }

    private let series = Mutex<[Series.Key: Series]>([:])

    func series(_ key: Series.Key) -> Series {
        if let known = self.series.withLock({ $0[key] }) { return known }
        let labels = [
            ("platform", key.platform), ("provider", key.provider ?? "none"), ("model", key.model),
            ("status_class", "\(key.statusClass)xx"),
        ]
        let short = Array(labels.prefix(3))
        let tokenLabels = key.provider.map { [("provider", $0), ("model", key.model)] }
        let made = Series(
            requests: self.registry.makeCounter(
                descriptor: Self.name("requests", unit: "total", "Requests by outcome class."),
                labels: labels
            ),
            duration: self.registry.makeDurationHistogram(
                descriptor: Self.name(
                    "request_duration",
                    unit: "seconds",
                    "Time from request to the end of the answer."
                ),
                labels: short,
                buckets: Self.latencyBuckets
            ),
            timeToFirstToken: self.registry.makeDurationHistogram(
                descriptor: Self.name(
                    "time_to_first_token",
                    unit: "seconds",
                    "Time from request to the first content sent."
                ),
                labels: short,
                buckets: Self.latencyBuckets
            ),
            tokens: tokenLabels.map { labels in
                ["input", "output", "cache_read", "cache_write"].map {
                    self.registry.makeCounter(
                        descriptor: Self.name("tokens", unit: "total", "Tokens as reported by providers."),
                        labels: labels + [("direction", $0)]
                    )
                }
            } ?? [],
            cost: tokenLabels.map {
                self.registry.makeCounter(
                    descriptor: Self.name("cost_usd", unit: "total", "Cost in USD at catalog prices."),
                    labels: $0
                )
            }
        )
        self.series.withLock { $0[key] = made }
        return made
    }

    /// Records a finished request (and ends it in flight).
    func request(_ record: UsageRecord) {
        self.inFlight.decrement()
        let key = Series.Key(
            platform: record.platform,
            provider: record.provider,
            model: record.model,
            statusClass: record.status / 100
        )
        let series = self.series(key)
        series.requests.increment()
        if record.status >= 400 || record.outcome != .ok {
            self.registry.makeCounter(
                descriptor: Self.name("errors", unit: "total", "Requests that ended in an error."),
                labels: [
                    ("platform", record.platform), ("provider", record.provider ?? "none"), ("model", record.model),
                    ("status_class", "\(key.statusClass)xx"), ("outcome", record.outcome.rawValue),
                ]
            ).increment()
        }
        series.duration.record(Duration.microseconds(Int64(record.latencyMs * 1000)))
        if let ttft = record.ttftMs {
            series.timeToFirstToken.record(Duration.microseconds(Int64(ttft * 1000)))
        }
        let counts = [record.inputTokens, record.outputTokens, record.cacheReadTokens, record.cacheWriteTokens]
        for (counter, count) in zip(series.tokens, counts) where count > 0 {
            counter.increment(by: Int64(count))
        }
        if record.costUsd > 0 {
            series.cost?.increment(by: record.costUsd)
        }
    }

    /// How an attempt at one provider ended: `answered` (it began an answer), `failed` (its error, a
    /// timeout or a refused connection: the provider's fault, failed over or not), `client_error` (it
    /// refused the request as the client's mistake). ProviderHighErrorRate reads these: a failover hides a
    /// failed attempt from the client and from `requests_total`, not from here.
    public enum AttemptOutcome: String, Sendable {
        case answered
        case failed
        case clientError = "client_error"
    }

    /// Records one attempt at a provider and how long it took to answer or fail (to the response's head:
    /// the length of the answer is the client's request, not the provider's speed).
    func attempt(provider: String, model: String, outcome: AttemptOutcome, duration: Duration) {
        let labels = [("provider", provider), ("model", model)]
        self.registry.makeCounter(
            descriptor: Self.name("provider_attempts", unit: "total", "Attempts at a provider by how they ended."),
            labels: labels + [("outcome", outcome.rawValue)]
        ).increment()
        self.registry.makeDurationHistogram(
            descriptor: Self.name(
                "provider_attempt_duration",
                unit: "seconds",
                "Time from sending an attempt to the provider's answer or failure."
            ),
            labels: [("provider", provider)],
            buckets: Self.latencyBuckets
        ).record(duration)
    }

    /// Records a failed attempt that moved on to the next provider.
    func failover(provider: String, model: String, reason: String) {
        self.registry.makeCounter(
            descriptor: Self.name("failovers", unit: "total", "Attempts abandoned for the next provider."),
            labels: [("provider", provider), ("model", model), ("reason", reason)]
        ).increment()
    }
}
