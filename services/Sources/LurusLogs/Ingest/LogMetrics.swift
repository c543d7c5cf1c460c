import Prometheus

/// The log service's Prometheus metrics (`lurus_logs_*`).
public final class LogMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let inserted: Counter
    let duplicates: Counter
    let undecodable: Counter
    let insertFailures: Counter
    let insertDuration: DurationHistogram
    let batchRows: ValueHistogram
    let queries: Counter
    let queryFailures: Counter
    let queryDuration: DurationHistogram

    static func name(_ name: String, unit: String = "total", _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "lurus", subsystem: "logs", metricName: name, unitName: unit, helpText: help)
    }

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        self.inserted = registry.makeCounter(descriptor: Self.name("rows_inserted", "Request records stored."))
        self.duplicates = registry.makeCounter(
            descriptor: Self.name("rows_duplicate", "Records already stored or twice in a batch, left out.")
        )
        self.undecodable = registry.makeCounter(
            descriptor: Self.name("events_undecodable", "Events that could not be read, terminated.")
        )
        self.insertFailures = registry.makeCounter(
            descriptor: Self.name("insert_failures", "Inserts ClickHouse did not take (tried again).")
        )
        self.insertDuration = registry.makeDurationHistogram(
            descriptor: Self.name("insert_duration", unit: "seconds", "Look-up and insert of one batch."),
            buckets: [
                .milliseconds(10), .milliseconds(50), .milliseconds(200), .seconds(1), .seconds(5), .seconds(30),
            ]
        )
        self.batchRows = registry.makeValueHistogram(
            descriptor: Self.name("batch_rows", unit: "", "Rows per insert."),
            buckets: [1, 10, 100, 1000, 5000, 10_000, 50_000]
        )
        self.queries = registry.makeCounter(descriptor: Self.name("queries", "API queries answered."))
        self.queryFailures = registry.makeCounter(
            descriptor: Self.name("query_failures", "API queries ClickHouse did not answer.")
        )
        self.queryDuration = registry.makeDurationHistogram(
            descriptor: Self.name("query_duration", unit: "seconds", "Time to answer an API query."),
            buckets: [.milliseconds(10), .milliseconds(50), .milliseconds(300), .seconds(1), .seconds(5)]
        )
    }
}
