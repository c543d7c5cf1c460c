import LurusInventory

/// The alert rules Prometheus loads (`templates/prometheus/alerts.yml`), with the thresholds of
/// `components.prometheus` in the inventory. Pure but for the template.
public enum AlertRules {
    /// The template's values: each threshold by the rule's name for it, ratios also as percentages for
    /// the descriptions.
    public static func values(_ settings: ComponentSettings) -> [String: Any] {
        func number(_ key: String) -> Double {
            if case .number(let value) = settings[key] { return value }
            return 0
        }
        func written(_ value: Double) -> String { SettingValue.number(value).description }
        var values: [String: Any] = [:]
        for (name, key) in [
            ("error_ratio", "alert_error_ratio"), ("provider_error_ratio", "alert_provider_error_ratio"),
            ("cache_hit_ratio", "alert_cache_hit_ratio"),
        ] {
            values[name] = written(number(key))
            values[name + "_percent"] = written((number(key) * 1000).rounded() / 10)
        }
        for (name, key) in [
            ("failovers_per_minute", "alert_failovers_per_minute"), ("hourly_cost_usd", "alert_hourly_cost_usd"),
            ("daily_cost_usd", "alert_daily_cost_usd"), ("cost_spike_factor", "alert_cost_spike_factor"),
            ("request_rate", "alert_request_rate"), ("traffic_change_factor", "alert_traffic_change_factor"),
        ] {
            values[name] = written(number(key))
        }
        if case .duration(let down) = settings["alert_service_down_for"] {
            values["service_down_for"] = PrometheusFlags.duration(down)
            values["service_down_for_words"] = Self.words(down.milliseconds)
        }
        if case .duration(let latency) = settings["alert_latency_p95"] {
            values["latency_p95"] = latency.text
            values["latency_p95_seconds"] = written(Double(latency.milliseconds) / 1000)
        }
        return values
    }

    /// `2 minutes`, `10 seconds`, `1 hour`: a duration in a description.
    static func words(_ milliseconds: Int64) -> String {
        for (unit, size) in [("day", 86_400_000), ("hour", 3_600_000), ("minute", 60_000), ("second", 1000)]
        where milliseconds % Int64(size) == 0 && milliseconds >= Int64(size) {
            let count = milliseconds / Int64(size)
            return "\(count) \(unit)\(count == 1 ? "" : "s")"
        }
        return "\(milliseconds) milliseconds"
    }

    /// The rules file for `inventory`.
    public static func render(_ inventory: Inventory, templates: TemplateLibrary) throws(TemplateError) -> String {
        try templates.render("prometheus/alerts.yml", self.values(inventory.settings(for: .prometheus)))
    }
}
