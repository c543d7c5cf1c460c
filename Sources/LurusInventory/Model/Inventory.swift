/// A whole cluster as the inventory describes it, after defaults are applied and every check has passed.
public struct Inventory: Sendable {
    /// The cluster's name; it prefixes backups and names the K3s cluster.
    public var cluster: String
    /// The inventory file as the user named it.
    public var path: String
    /// The services' runtime.
    public var runtime: ServiceRuntime
    /// SSH defaults before node overrides.
    public var ssh: SSHSettings
    public var mesh: Mesh
    /// Pinned versions by `versions:` key.
    public var versions: [String: String]
    /// Named secret references from `secrets:`.
    public var secrets: [String: SecretReference]
    /// The nodes, in the order written.
    public var nodes: [Node]
    /// Settings for every placed component, written or default.
    public var settings: [Component: ComponentSettings]
    public var backup: BackupSettings?
    public var health: HealthSettings
    public var deploy: DeploySettings
    /// Where Alertmanager sends alerts; nil when the inventory has no `alerting:` block.
    public var alerting: AlertingSettings? = nil

    /// The top-level keys.
    static let keys = [
        "cluster", "runtime", "ssh", "mesh", "versions", "secrets", "nodes", "components", "backup", "health",
        "deploy", "alerting",
    ]

    public func node(named name: String) -> Node? {
        self.nodes.first { $0.name == name }
    }

    /// Every component on `node`: the ones listed, and the implicit ones (`base`, `tailscale` with a
    /// Tailscale mesh, `node-exporter` when Prometheus is placed), in a stable order.
    public func components(on node: Node) -> [Component] {
        var placed = Set(node.components)
        placed.insert(.base)
        if case .tailscale = self.mesh { placed.insert(.tailscale) }
        if self.isPlaced(.prometheus) { placed.insert(.nodeExporter) }
        return placed.sorted()
    }

    /// The nodes `component` is placed on, in inventory order.
    public func nodes(running component: Component) -> [Node] {
        self.nodes.filter { self.components(on: $0).contains(component) }
    }

    public func isPlaced(_ component: Component) -> Bool {
        self.nodes.contains { $0.components.contains(component) }
            || component == .base || (component == .tailscale && self.mesh != .none)
            || (component == .nodeExporter && self.nodes.contains { $0.components.contains(.prometheus) })
    }

    /// Settings of `component`, default ones when the inventory wrote none.
    public func settings(for component: Component) -> ComponentSettings {
        self.settings[component] ?? ComponentSettings(component: component)
    }

    /// The address other nodes use for internal traffic: with `mesh: none` the private address (else the
    /// address); with Tailscale the node's Tailscale IPv4, known only once Tailscale is up (nil here).
    public func meshAddress(of node: Node) -> NodeAddress? {
        switch self.mesh {
        case .none: node.privateAddress ?? node.address
        case .tailscale: nil
        }
    }

    /// Ports `node` listens on: (component, settings key, port), by component.
    public func ports(on node: Node) -> [(component: Component, key: String, port: Int)] {
        self.components(on: node).flatMap { component in
            self.settings(for: component).ports.map { (component, $0.key, $0.port) }
        }
    }
}
