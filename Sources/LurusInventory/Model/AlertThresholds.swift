/// The alert rules' thresholds, as `components.prometheus` settings (`alert_…`): data, so the reader
/// checks them, `doc/inventory.md` documents them and the rules read them by key.
public enum AlertThresholds {
    static func number(_ key: String, _ value: Double, _ range: ClosedRange<Double>, _ summary: String) -> SettingSpec {
        SettingSpec(key: key, kind: .number(range), defaultValue: .number(value), summary: summary)
    }

    static let specs: [SettingSpec] = [
        SettingSpec(
            key: "alert_service_down_for",
            kind: .duration,
            defaultValue: .duration(InventoryDuration(milliseconds: 120_000, text: "2m")),
            summary: "ServiceDown: how long a target must be down before it pages"
        ),
        number(
            "alert_error_ratio",
            0.05,
            0.001...1,
            "HighErrorRate: the share of requests failing on the cluster's side over 5 minutes"
        ),
        SettingSpec(
            key: "alert_latency_p95",
            kind: .duration,
            defaultValue: .duration(InventoryDuration(milliseconds: 10_000, text: "10s")),
            summary: "HighLatency: the 95th percentile of the time to the first token, per model, over 10 minutes"
        ),
        number(
            "alert_provider_error_ratio",
            0.25,
            0.001...1,
            "ProviderHighErrorRate: the share of a provider's attempts that fail over 5 minutes"
        ),
        number(
            "alert_failovers_per_minute",
            5,
            0.01...100_000,
            "ProviderFailoverSpike: failovers away from one provider a minute, over 5 minutes"
        ),
        number("alert_hourly_cost_usd", 20, 0.01...1_000_000, "HighHourlyCost: dollars spent in the last hour"),
        number("alert_daily_cost_usd", 200, 0.01...10_000_000, "HighDailyCost: dollars spent in the last 24 hours"),
        number(
            "alert_cost_spike_factor",
            3,
            1.1...1000,
            "CostSpike: the last hour's cost over this many times the same hour a week earlier"
        ),
        number("alert_request_rate", 100, 0.01...1_000_000, "HighRequestRate: requests a second, over 5 minutes"),
        number(
            "alert_traffic_change_factor",
            3,
            1.1...1000,
            "TrafficAnomaly: the request rate this many times above, or below a this-many-th of, a week earlier"
        ),
        number(
            "alert_cache_hit_ratio",
            0.2,
            0...1,
            "LowCacheHitRate: the least share of a model's prompt tokens read from the providers' prompt cache"
        ),
    ]
}
