/// Something `lurusctl` installs and runs on a node. Placed by listing it in a node's `components`.
///
/// The cases are listed in an order that respects `dependencies` (each component after everything it
/// needs), so every node runs its units in one global order and no two nodes can wait for each other;
/// `ComponentDependencies.problems` checks it.
public enum Component: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case base
    case tailscale
    case k3sServer = "k3s-server"
    case k3sAgent = "k3s-agent"
    case postgres
    case clickhouse
    case minio
    case redis
    case nats
    case prometheus
    case alertmanager
    case grafana
    case jaeger
    case nodeExporter = "node-exporter"
    case provider
    case billing
    case gateway
    case log

    public var name: String { self.rawValue }

    public static func < (lhs: Component, rhs: Component) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// The bundled Swift services from `services/`, rolled out by the release step.
    public static let services: [Component] = [.provider, .billing, .gateway, .log]

    public var isService: Bool { Self.services.contains(self) }

    /// Components placed by `lurusctl` itself, never listed by hand.
    ///
    /// `base` goes on every node, `tailscale` on every node when the mesh is Tailscale, and
    /// `node-exporter` on every node when Prometheus is placed somewhere.
    public var isImplicit: Bool { self == .base || self == .tailscale || self == .nodeExporter }

    /// The key under `versions:` that pins what this component installs, if it installs a versioned thing.
    public var versionKey: String? {
        switch self {
        case .base: nil
        case .k3sServer, .k3sAgent: "k3s"
        case .gateway, .provider, .billing, .log: nil
        default: self.rawValue
        }
    }

    /// The keys accepted under `versions:`.
    public static var versionKeys: [String] {
        var keys: [String] = []
        for component in allCases {
            if let key = component.versionKey, !keys.contains(key) { keys.append(key) }
        }
        return keys
    }

    /// The ports this component listens on, by settings key, with their defaults.
    ///
    /// Two components on one node may not claim the same port; `components.NAME.KEY` overrides a default.
    public var defaultPorts: [(key: String, port: Int)] {
        switch self {
        case .base, .tailscale: []
        case .k3sServer: [("api_port", 6443)]
        case .k3sAgent: []
        case .postgres: [("port", 5432), ("exporter_port", 9187)]
        case .clickhouse: [("http_port", 8123), ("native_port", 9000), ("metrics_port", 9363)]
        case .minio: [("api_port", 9000), ("console_port", 9001)]
        case .redis: [("port", 6379), ("exporter_port", 9121)]
        case .nats: [("client_port", 4222), ("monitor_port", 8222)]
        case .prometheus: [("port", 9090)]
        case .alertmanager: [("port", 9093)]
        case .grafana: [("port", 3000)]
        case .jaeger:
            [
                ("ui_port", 16686), ("otlp_grpc_port", 4317), ("otlp_http_port", 4318), ("query_grpc_port", 16685),
                ("health_port", 13133), ("metrics_port", 8888),
            ]
        case .nodeExporter: [("port", 9100)]
        case .gateway: [("port", 18100)]
        case .provider: [("port", 18101)]
        case .log: [("port", 18102)]
        case .billing: [("port", 18103)]
        }
    }
}
