import LurusInventory

/// One service as the inventory places it: where it runs, its port and replicas, its environment with
/// every value known, the secret files it reads and the components it talks to. Made by
/// `ServiceCatalog.resolve`; the runtimes turn it into units or manifests.
public struct ResolvedService: Sendable, Hashable {
    public var definition: ServiceDefinition
    /// The nodes it is placed on, in inventory order (never empty).
    public var nodes: [Node]
    public var port: Int
    /// The inventory's `replicas` (K3s runtime).
    public var replicas: Int
    /// Its environment, in the catalog's order, without the variables left out.
    public var environment: [EnvironmentEntry]
    /// Where the secret files live: `/etc/lurus/NAME/secrets`.
    public var secretDirectory: String
    /// The secret files it reads, in the catalog's order.
    public var secretFiles: [ResolvedSecretFile]
    /// The placed components it opens connections to, in the order its environment names them.
    public var peers: [Peer]

    public var component: Component { self.definition.component }
    public var name: String { self.definition.name }
}

/// One environment variable with its value.
public struct EnvironmentEntry: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    public var description: String { "\(self.name)=\(self.value)" }
}

/// A secret file of a placed service: the store's secret and where the service reads it.
public struct ResolvedSecretFile: Sendable, Hashable {
    public var fileName: String
    /// The secret's name in lurusctl's store.
    public var secret: String
    /// `secretDirectory/fileName`.
    public var path: String
    public var generated: Bool
}

/// A component a service talks to, as placed.
public struct Peer: Sendable, Hashable {
    public enum Location: Sendable, Hashable {
        /// Another bundled service: on K3s a Service in the `lurus` namespace.
        case service
        /// A component on these nodes' own network (NATS, Jaeger, PostgreSQL, ...).
        case nodes([Node])
    }

    public var component: Component
    /// The host the service is given: a node's name, or the Service's cluster DNS name on K3s.
    public var host: String
    public var port: Int
    public var location: Location
}
