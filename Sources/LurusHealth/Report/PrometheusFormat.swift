/// The report in Prometheus's text format, for the node exporter's textfile collector: each check's
/// status (0 ok, 1 warning, 2 critical, 3 unknown) and measure, labelled by node and check, the worst
/// status, and when the run was (so a stale file shows). Pure.
public enum PrometheusFormat {
    public static func text(
        _ report: HealthReport,
        cluster: String,
        at time: Double,
        nodes: Set<String>? = nil
    ) -> String {
        let results = report.results.filter { nodes?.contains($0.node) ?? true }
        var lines = [
            "# HELP lurus_health_check_status The result of a lurusctl health check: 0 ok, 1 warning, 2 critical, 3 unknown.",
            "# TYPE lurus_health_check_status gauge",
        ]
        for result in results {
            lines.append("lurus_health_check_status{\(self.labels(cluster, result))} \(result.status.rawValue)")
        }
        lines += [
            "# HELP lurus_health_check_value The value a lurusctl health check measured.",
            "# TYPE lurus_health_check_value gauge",
        ]
        for result in results {
            guard let measure = result.measure else { continue }
            lines.append(
                "lurus_health_check_value{\(self.labels(cluster, result)),measure=\"\(self.escape(measure.label))\"} "
                    + NagiosFormat.number(measure.value)
            )
        }
        lines += [
            "# HELP lurus_health_status The worst result of the last lurusctl health run.",
            "# TYPE lurus_health_status gauge",
            "lurus_health_status{cluster=\"\(self.escape(cluster))\"} \(HealthStatus.worst(results.map(\.status)).rawValue)",
            "# HELP lurus_health_last_run_timestamp_seconds When the last lurusctl health run ended.",
            "# TYPE lurus_health_last_run_timestamp_seconds gauge",
            "lurus_health_last_run_timestamp_seconds{cluster=\"\(self.escape(cluster))\"} \(Int(time))",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    static func labels(_ cluster: String, _ result: CheckResult) -> String {
        "cluster=\"\(self.escape(cluster))\",node=\"\(self.escape(result.node))\",check=\"\(self.escape(result.check))\""
    }

    /// A label value: backslash, quote and newline escaped.
    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
