import Prometheus

/// Billing's Prometheus metrics (`lurus_billing_*`).
public final class BillingMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let settled: Counter
    let duplicates: Counter
    let unattributed: Counter
    let poison: Counter
    let settleFailures: Counter
    let shortfall: Counter
    let settleDuration: DurationHistogram
    let reservations: [ReservationVerdict: Counter]
    let leases: [ReservationVerdict: Counter]
    let leasedMicros: Counter
    let releasedMicros: Counter
    let expired: Counter

    static func name(_ name: String, unit: String = "total", _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "lurus", subsystem: "billing", metricName: name, unitName: unit, helpText: help)
    }

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        self.settled = registry.makeCounter(descriptor: Self.name("usage_settled", "Usage events charged to a wallet."))
        self.duplicates = registry.makeCounter(
            descriptor: Self.name("usage_duplicates", "Usage events already in the ledger (redeliveries, replays).")
        )
        self.unattributed = registry.makeCounter(
            descriptor: Self.name("usage_unattributed", "Usage events for keys billing does not know, kept unbilled.")
        )
        self.poison = registry.makeCounter(
            descriptor: Self.name("usage_undecodable", "Usage events that could not be read, terminated.")
        )
        self.settleFailures = registry.makeCounter(
            descriptor: Self.name("settle_failures", "Batches whose transaction failed (redelivered later).")
        )
        self.shortfall = registry.makeCounter(
            descriptor: Self.name(
                "shortfall_micros",
                unit: "",
                "Micro-dollars of usage that empty wallets could not pay."
            )
        )
        self.settleDuration = registry.makeDurationHistogram(
            descriptor: Self.name("settle_batch_duration", unit: "seconds", "Time to settle one batch."),
            buckets: [
                .milliseconds(1), .milliseconds(5), .milliseconds(20), .milliseconds(100), .milliseconds(500),
                .seconds(2),
            ]
        )
        var reservations: [ReservationVerdict: Counter] = [:]
        for verdict in [
            ReservationVerdict.reserved, .settled, .insufficientBalance, .overBudget, .rateLimited, .revoked,
            .unknownKey,
        ] {
            reservations[verdict] = registry.makeCounter(
                descriptor: Self.name("reservations", "Reservation answers by verdict."),
                labels: [("verdict", verdict.rawValue)]
            )
        }
        self.reservations = reservations
        var leases: [ReservationVerdict: Counter] = [:]
        for verdict in [
            ReservationVerdict.reserved, .insufficientBalance, .overBudget, .perRequest, .revoked, .unknownKey,
        ] {
            leases[verdict] = registry.makeCounter(
                descriptor: Self.name("leases", "Lease answers by verdict."),
                labels: [("verdict", verdict.rawValue)]
            )
        }
        self.leases = leases
        self.leasedMicros = registry.makeCounter(
            descriptor: Self.name("leased_micros", unit: "", "Micro-dollars leased to gateways.")
        )
        self.releasedMicros = registry.makeCounter(
            descriptor: Self.name("lease_released_micros", unit: "", "Micro-dollars of leases given back unspent.")
        )
        self.expired = registry.makeCounter(
            descriptor: Self.name("reservations_expired", "Holds released because no usage came before they expired.")
        )
    }
}
