import Prometheus

/// The provider service's Prometheus metrics.
public final class ProviderMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let catalogFromMemory: Counter
    let catalogFromRedis: Counter
    let catalogFromDatabase: Counter
    let catalogNotModified: Counter
    let changes: Counter

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        func catalog(_ source: String) -> Counter {
            registry.makeCounter(
                name: "lurus_provider_catalog_answers_total",
                labels: [("source", source)],
                help: "GET /v1/catalog answers by where the catalog came from (not_modified: 304)."
            )
        }
        self.catalogFromMemory = catalog("memory")
        self.catalogFromRedis = catalog("redis")
        self.catalogFromDatabase = catalog("database")
        self.catalogNotModified = catalog("not_modified")
        self.changes = registry.makeCounter(
            name: "lurus_provider_changes_total",
            help: "Changes to providers and models made through the admin API."
        )
    }

    func answered(from source: CatalogCache.Source) {
        switch source {
        case .memory: self.catalogFromMemory.increment()
        case .redis: self.catalogFromRedis.increment()
        case .database: self.catalogFromDatabase.increment()
        }
    }
}
