import LurusInventory

/// What Prometheus scrapes, derived from the inventory: itself, Alertmanager, every node's exporter, and
/// each service where it runs. Pure: (inventory, each node's mesh address) -> jobs.
///
/// Every target carries `instance` as `NODE:PORT` (the inventory's names, not addresses, so an alert says
/// "gateway on brain:18100") and `node`. PostgreSQL and Redis through the exporters their components add,
/// ClickHouse from its own endpoint (20.1 and later: not the lab's 18.16), Jaeger from its own; NATS's
/// monitoring port serves JSON only, so NATS is not scraped.
public struct ScrapeTargets: Sendable {
    public struct Job: Sendable, Hashable {
        public var name: String
        public var targets: [Target]
    }

    public struct Target: Sendable, Hashable {
        /// `HOST:PORT` to scrape (IPv6 in brackets).
        public var address: String
        public var node: String
        public var instance: String
    }

    public var jobs: [Job]
    /// What is placed but not scraped, in words for the plan.
    public var notices: [String]

    /// The job of a bundled service: `lurus-gateway`, as the alert rules name it.
    public static func jobName(_ service: Component) -> String { "lurus-\(service.name)" }

    public static func of(_ inventory: Inventory, address: (Node) throws -> String) throws -> ScrapeTargets {
        func targets(_ component: Component, port key: String) throws -> [Target] {
            let port = inventory.settings(for: component).port(key) ?? 0
            return try inventory.nodes(running: component).map { node in
                let host = try address(node)
                return Target(
                    address: MeshAddresses.hostPort(host, port),
                    node: node.name,
                    instance: "\(node.name):\(port)"
                )
            }
        }
        var jobs = [
            Job(name: "prometheus", targets: try targets(.prometheus, port: "port")),
            Job(name: "alertmanager", targets: try targets(.alertmanager, port: "port")),
            Job(name: "node", targets: try targets(.nodeExporter, port: "port")),
        ]
        var notices: [String] = []
        let services = Component.services.filter(inventory.isPlaced)
        switch inventory.runtime {
        case .systemd:
            for service in services {
                jobs.append(Job(name: Self.jobName(service), targets: try targets(service, port: "port")))
            }
        case .k3s:
            if !services.isEmpty {
                notices.append(
                    "the services' /metrics are not scraped under K3s yet: their pods are not reachable "
                        + "from outside the K3s network"
                )
            }
        }
        jobs.append(Job(name: "postgres", targets: try targets(.postgres, port: "exporter_port")))
        jobs.append(Job(name: "redis", targets: try targets(.redis, port: "exporter_port")))
        if ClickHouseComponent.servesMetrics(inventory) {
            jobs.append(Job(name: "clickhouse", targets: try targets(.clickhouse, port: "metrics_port")))
        } else if inventory.isPlaced(.clickhouse) {
            notices.append("clickhouse is not scraped: Debian's 18.16 has no Prometheus endpoint (20.1 and later do)")
        }
        jobs.append(Job(name: "jaeger", targets: try targets(.jaeger, port: "metrics_port")))
        if inventory.isPlaced(.nats) {
            notices.append("nats is not scraped: its monitoring port serves JSON, and no exporter is installed")
        }
        return ScrapeTargets(jobs: jobs.filter { !$0.targets.isEmpty }, notices: notices)
    }

    /// The template's values for `jobs`.
    var values: [[String: Any]] {
        self.jobs.map { job in
            [
                "name": job.name,
                "targets": job.targets.map { ["address": $0.address, "node": $0.node, "instance": $0.instance] },
            ]
        }
    }
}
