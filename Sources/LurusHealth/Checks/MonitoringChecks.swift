import Foundation

/// The observability stack's checks: Prometheus (ready, and which targets it finds down), Alertmanager,
/// the node exporter, Grafana, Jaeger.
enum MonitoringChecks {
    static func prometheus(port: Int, seconds: Double) -> [HealthCheck] {
        let fix = "systemctl status prometheus; journalctl -u prometheus -n 50"
        return [
            HTTPChecks.endpoint(
                "prometheus",
                what: "Prometheus",
                port: port,
                path: "/-/ready",
                seconds: seconds,
                fix: fix
            ),
            // A service's target down is critical (it is down for the cluster); any other, a warning.
            HTTPChecks.endpoint(
                "prometheus.targets",
                what: "Prometheus",
                port: port,
                path: "/api/v1/query?query=up%3D%3D0",
                seconds: seconds,
                fix: fix
            ) { code, body in
                guard code == 200, let data = HTTPChecks.object(body)?["data"] as? [String: Any] else { return nil }
                let down = ((data["result"] as? [[String: Any]]) ?? []).map { result in
                    let labels = result["metric"] as? [String: String] ?? [:]
                    return (job: labels["job"] ?? "?", instance: labels["instance"] ?? "?")
                }.sorted { ($0.job, $0.instance) < ($1.job, $1.instance) }
                guard !down.isEmpty else { return Finding(.ok, "every target up") }
                let services = down.contains { $0.job.hasPrefix("lurus-") }
                return Finding(
                    services ? .critical : .warning,
                    "down: " + down.map { "\($0.job) \($0.instance)" }.joined(separator: ", "),
                    measure: .init("targets_down", Double(down.count), warning: 1),
                    fix: "each target's own check (below) says why; Prometheus's /targets page has the scrape error"
                )
            },
        ]
    }

    static func alertmanager(port: Int, seconds: Double) -> HealthCheck {
        HTTPChecks.endpoint(
            "alertmanager",
            what: "Alertmanager",
            port: port,
            path: "/-/ready",
            seconds: seconds,
            fix: "systemctl status prometheus-alertmanager; journalctl -u prometheus-alertmanager -n 50"
        )
    }

    static func nodeExporter(port: Int, seconds: Double) -> HealthCheck {
        HTTPChecks.endpoint(
            "node-exporter",
            what: "the node exporter",
            port: port,
            path: "/metrics",
            seconds: seconds,
            fix: "systemctl status prometheus-node-exporter",
            body: false
        )
    }

    /// Grafana's `/api/health`: `{"database": "ok", …}`.
    static func grafana(port: Int, seconds: Double) -> HealthCheck {
        HTTPChecks.endpoint(
            "grafana",
            what: "Grafana",
            port: port,
            path: "/api/health",
            seconds: seconds,
            fix: "systemctl status grafana-server; /var/log/grafana/grafana.log"
        ) { code, body in
            guard code == 200 else { return nil }
            let database = HTTPChecks.object(body)?["database"] as? String
            return database == "ok"
                ? Finding(.ok, "Grafana answers, its database ok")
                : Finding(
                    .critical,
                    "Grafana's database: \(database ?? "not said")",
                    fix: "check /var/lib/grafana/grafana.db"
                )
        }
    }

    /// Jaeger v2's health check extension: `/status` on its health port.
    static func jaeger(port: Int, seconds: Double) -> HealthCheck {
        HTTPChecks.endpoint(
            "jaeger",
            what: "Jaeger",
            port: port,
            path: "/status",
            seconds: seconds,
            fix: "systemctl status jaeger; journalctl -u jaeger -n 50"
        )
    }
}
