import LurusInventory

/// Which components must be in place before another, on the same node or anywhere in the cluster.
///
/// `Component.allCases` lists components in an order that respects these, so every node runs its units in
/// one global order and no two nodes can wait for each other.
enum ComponentOrder {
    /// Components needed on the same node first.
    static func sameNode(_ component: Component) -> [Component] {
        switch component {
        case .base: []
        case .tailscale: [.base]
        default: [.base, .tailscale]
        }
    }

    /// Components needed anywhere in the cluster first (every node they are placed on).
    static func cluster(_ component: Component) -> [Component] {
        switch component {
        case .k3sAgent: [.k3sServer]
        case .grafana, .alertmanager: [.prometheus]
        case .gateway: [.nats, .provider, .billing]
        case .provider, .billing: [.postgres, .nats]
        case .log: [.clickhouse, .nats]
        default: []
        }
    }
}
