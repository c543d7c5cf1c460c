/// One thing a component needs before it runs: another component on its own node, or anywhere in the
/// cluster, and why.
public struct ComponentDependency: Sendable, Hashable {
    public enum Scope: Sendable, Hashable {
        /// The other component on the same node, when it is placed there.
        case sameNode
        /// The other component on every node it is placed on.
        case cluster
    }

    public enum Strength: Sendable, Hashable {
        /// The component cannot work without it: `validate` refuses an inventory that places none.
        case required
        /// Order only: when it is placed, this component waits for it.
        case whenPlaced
    }

    public var component: Component
    public var scope: Scope
    public var strength: Strength
    /// Why, in words the validator prints: "the gateway publishes usage events to NATS".
    public var reason: String

    public init(_ component: Component, _ scope: Scope, _ strength: Strength, _ reason: String) {
        self.component = component
        self.scope = scope
        self.strength = strength
        self.reason = reason
    }
}

extension Component {
    /// Everything this component needs before it, in one table: the validator reads the required ones
    /// placed anywhere (`requirements`), the scheduler orders units by all of them, and the order of
    /// `allCases` respects them.
    public var dependencies: [ComponentDependency] {
        self.sameNodeDependencies + self.clusterDependencies
    }

    /// What must be placed somewhere in the cluster for this component to work, and why.
    public var requirements: [ComponentDependency] {
        self.dependencies.filter { $0.scope == .cluster && $0.strength == .required }
    }

    private var sameNodeDependencies: [ComponentDependency] {
        switch self {
        case .base: []
        case .tailscale: [ComponentDependency(.base, .sameNode, .whenPlaced, "base sets up the node first")]
        default:
            [
                ComponentDependency(.base, .sameNode, .whenPlaced, "base sets up the node first"),
                ComponentDependency(.tailscale, .sameNode, .whenPlaced, "it listens on the node's mesh address"),
            ]
        }
    }

    private var clusterDependencies: [ComponentDependency] {
        switch self {
        case .k3sAgent:
            [ComponentDependency(.k3sServer, .cluster, .whenPlaced, "a K3s agent joins the K3s server")]
        case .grafana:
            [ComponentDependency(.prometheus, .cluster, .required, "Grafana's dashboards read Prometheus")]
        case .alertmanager:
            [ComponentDependency(.prometheus, .cluster, .required, "Alertmanager receives alerts from Prometheus")]
        case .provider:
            [
                ComponentDependency(
                    .postgres,
                    .cluster,
                    .required,
                    "the provider service keeps its catalog in PostgreSQL"
                ),
                ComponentDependency(.redis, .cluster, .whenPlaced, "the provider service caches its catalog in Redis"),
                ComponentDependency(
                    .nats,
                    .cluster,
                    .whenPlaced,
                    "the provider service reads usage events from NATS for provider health"
                ),
            ]
        case .billing:
            [
                ComponentDependency(.postgres, .cluster, .required, "billing keeps balances in PostgreSQL"),
                ComponentDependency(.nats, .cluster, .whenPlaced, "billing consumes usage events from NATS"),
            ]
        case .gateway:
            [
                ComponentDependency(.nats, .cluster, .required, "the gateway publishes usage events to NATS"),
                ComponentDependency(
                    .provider,
                    .cluster,
                    .whenPlaced,
                    "the gateway reads its catalog from the provider service"
                ),
                ComponentDependency(.billing, .cluster, .whenPlaced, "the gateway checks balances with billing"),
            ]
        case .log:
            [
                ComponentDependency(
                    .clickhouse,
                    .cluster,
                    .required,
                    "the log service writes request logs to ClickHouse"
                ),
                ComponentDependency(.nats, .cluster, .whenPlaced, "the log service consumes usage events from NATS"),
            ]
        default: []
        }
    }
}

/// Checks of the dependency table against an order of components: pure, so a test can feed it a broken
/// table too.
public enum ComponentDependencies {
    /// What is wrong with running components in `order` under `dependencies`: a component listed before
    /// one it needs, and every cycle. Empty when the order is a topological order of the table.
    public static func problems(
        order: [Component],
        dependencies: (Component) -> [ComponentDependency] = { $0.dependencies }
    ) -> [String] {
        var problems: [String] = []
        for (index, component) in order.enumerated() {
            for dependency in dependencies(component) {
                guard let position = order.firstIndex(of: dependency.component) else {
                    problems.append("\(component.name) needs \(dependency.component.name), which the order leaves out")
                    continue
                }
                if position > index {
                    problems.append(
                        "\(component.name) is listed before \(dependency.component.name), which it needs "
                            + "(\(dependency.reason))"
                    )
                }
            }
        }
        return problems + self.cycles(among: order, dependencies: dependencies)
    }

    /// Each cycle once, as `a -> b -> a`.
    static func cycles(
        among components: [Component],
        dependencies: (Component) -> [ComponentDependency]
    )
        -> [String]
    {
        var finished: Set<Component> = []
        var found: [String] = []
        func visit(_ component: Component, path: [Component]) {
            if let start = path.firstIndex(of: component) {
                let cycle = path[start...] + [component]
                found.append("cycle: " + cycle.map(\.name).joined(separator: " -> "))
                return
            }
            guard !finished.contains(component) else { return }
            for dependency in dependencies(component) {
                visit(dependency.component, path: path + [component])
            }
            finished.insert(component)
        }
        for component in components { visit(component, path: []) }
        return found
    }
}
