import Foundation
import LurusEngine
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
    /// Its environment, in the catalog's order, without the variables left out. A digest of a secret
    /// holds a stand-in until `environment(with:)` computes it.
    public var environment: [EnvironmentEntry]
    /// Where the secret files live: `/etc/lurus/NAME/secrets`.
    public var secretDirectory: String
    /// The secret files it reads, in the catalog's order.
    public var secretFiles: [ResolvedSecretFile]
    /// The placed components it opens connections to, in the order its environment names them.
    public var peers: [Peer]
    /// The store secrets whose SHA-256 its environment holds (`admin/token`), each once: resolved with
    /// the secret files, never written to a node.
    public var digestedSecrets: [String] = []

    public var component: Component { self.definition.component }
    public var name: String { self.definition.name }

    /// Its environment as the service gets it: every digest of a secret computed from `secrets` (by store
    /// name). The secret itself is in none of it. A secret not in `secrets` is an error naming it.
    public func environment(with secrets: [String: Secret]) throws(ServiceCatalogError) -> [EnvironmentEntry] {
        var entries: [EnvironmentEntry] = []
        for var entry in self.environment {
            if let name = entry.digestOf {
                guard let secret = secrets[name] else {
                    throw ServiceCatalogError(
                        service: self.name,
                        "\(entry.name) is the SHA-256 of the secret \(name), which was not resolved",
                        hint: "this is a bug in lurusctl; please report it"
                    )
                }
                entry.value = Self.tokenDigest(secret.bytes)
            }
            entries.append(entry)
        }
        return entries
    }

    /// The lowercase hex SHA-256 of a token as the services check it: its text with surrounding
    /// whitespace (a file's trailing newline) trimmed, as they trim the token files they read.
    public static func tokenDigest(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Digest.sha256Hex(Array(text.utf8))
    }
}

/// One environment variable with its value.
public struct EnvironmentEntry: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var value: String
    /// The store secret whose SHA-256 the value is, for a `.secretSHA256` variable.
    public var digestOf: String?

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    /// A variable whose value is the SHA-256 of the store secret `secret`: until it is computed, the
    /// value says so (`<sha256 of admin/token>`).
    public init(_ name: String, sha256Of secret: String) {
        self.name = name
        self.value = "<sha256 of \(secret)>"
        self.digestOf = secret
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
