import LurusBackup
import LurusInventory
import LurusRelease

/// Which checks each node runs, derived from the inventory: the node's own, then one or more per component
/// placed there. Pure: (inventory, node) -> checks.
public enum HealthPlan {
    /// The streams the services declare (`services/Sources/LurusEvents/EventStreams.swift`).
    static let streams = ["LLM_EVENTS", "BILLING_EVENTS", "LOG_EVENTS"]

    /// Each check's own deadline: the run's timeout less what the round trip around it needs.
    public static func checkSeconds(_ health: HealthSettings) -> Double {
        max(0.5, (Double(health.timeout.milliseconds) / 1000 - 0.5).rounded(toPlaces: 1))
    }

    /// `--canary MODEL`: one real request of `model` through the gateway, from the first node it runs on
    /// (under the systemd runtime; under K3s its pods are behind the ingress).
    public struct Canary: Sendable, Hashable {
        public var model: String

        public init(model: String) { self.model = model }

        /// The node that sends it, or nil when there is none (no gateway, or the K3s runtime).
        public func node(in inventory: Inventory) -> Node? {
            inventory.runtime == .systemd ? inventory.nodes(running: .gateway).first : nil
        }
    }

    public static func checks(on node: Node, in inventory: Inventory, canary: Canary? = nil) -> [HealthCheck] {
        let seconds = self.checkSeconds(inventory.health)
        let health = inventory.health
        var checks = NodeChecks.all(health)
        func port(_ component: Component, _ key: String) -> Int {
            inventory.settings(for: component).port(key) ?? 0
        }
        for component in inventory.components(on: node) {
            switch component {
            case .postgres:
                checks += DataChecks.postgres(port: port(.postgres, "port"), seconds: seconds)
            case .redis:
                checks.append(DataChecks.redis(port: port(.redis, "port")))
            case .nats:
                checks += DataChecks.nats(
                    monitorPort: port(.nats, "monitor_port"),
                    seconds: seconds,
                    streams: self.streams
                )
            case .clickhouse:
                checks.append(DataChecks.clickhouse(port: port(.clickhouse, "http_port"), seconds: seconds))
            case .minio:
                checks.append(DataChecks.minio(port: port(.minio, "api_port"), seconds: seconds))
            case .prometheus:
                checks += MonitoringChecks.prometheus(port: port(.prometheus, "port"), seconds: seconds)
            case .alertmanager:
                checks.append(MonitoringChecks.alertmanager(port: port(.alertmanager, "port"), seconds: seconds))
            case .nodeExporter:
                checks.append(MonitoringChecks.nodeExporter(port: port(.nodeExporter, "port"), seconds: seconds))
            case .grafana:
                checks.append(MonitoringChecks.grafana(port: port(.grafana, "port"), seconds: seconds))
            case .jaeger:
                checks.append(MonitoringChecks.jaeger(port: port(.jaeger, "health_port"), seconds: seconds))
            case .k3sServer:
                checks += ClusterChecks.k3s(seconds: seconds)
                if inventory.runtime == .k3s {
                    for service in Component.services where inventory.isPlaced(service) {
                        checks.append(
                            ClusterChecks.k3sService(service.name, namespace: ServiceCatalog.kubernetesNamespace)
                        )
                    }
                }
            case .gateway, .provider, .billing, .log:
                guard inventory.runtime == .systemd, let definition = ServiceCatalog.definition(of: component) else {
                    break
                }
                checks.append(
                    ClusterChecks.systemdService(
                        component.name,
                        service: definition.executable,
                        port: port(component, "port"),
                        seconds: seconds
                    )
                )
            default:
                break
            }
        }
        if let canary, canary.node(in: inventory)?.name == node.name {
            checks.append(
                ClusterChecks.canary(model: canary.model, port: port(.gateway, "port"), seconds: seconds)
            )
        }
        if inventory.backup != nil {
            for component in ComponentJobs.components(in: inventory, only: [])
            where ComponentJobs.node(of: component, in: inventory)?.name == node.name {
                checks.append(
                    DataChecks.backupAge(
                        component.rawValue,
                        directory: health.textfileDirectory,
                        maxAge: health.backupMaxAge
                    )
                )
            }
        }
        return checks
    }

    /// How the probe finds the node's mesh address: the inventory's, or the address on Tailscale's interface.
    public static func meshAddress(of node: Node, in inventory: Inventory) -> HealthProbe.MeshAddress {
        if let known = inventory.meshAddress(of: node) { return .literal(known.description) }
        if case .tailscale(let settings) = inventory.mesh { return .interface(settings.interface) }
        return .literal(node.address.description)
    }
}

extension Double {
    func rounded(toPlaces places: Int) -> Double {
        var factor = 1.0
        for _ in 0..<places { factor *= 10 }
        return (self * factor).rounded() / factor
    }
}
