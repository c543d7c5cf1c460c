/// The private network the cluster's internal traffic uses.
public enum Mesh: Sendable, Hashable {
    /// No mesh: each node's `private_address` (or `address`) is its mesh address. For LANs and the local lab.
    case none
    case tailscale(TailscaleSettings)

    public var kind: String {
        switch self {
        case .none: "none"
        case .tailscale: "tailscale"
        }
    }
}

/// Tailscale settings. `tailscale up` forgets flags between runs, so all of these are passed on every run.
public struct TailscaleSettings: Sendable, Hashable {
    /// The auth key; a tagged, reusable key is best for servers.
    public var authKey: SecretReference
    /// ACL tags advertised by every node (`tag:NAME`); a tagged key makes the tag the device's owner.
    public var tags: [String]
    /// The network interface Tailscale creates; K3s's flannel uses it.
    public var interface: String

    public init(authKey: SecretReference, tags: [String] = [], interface: String = "tailscale0") {
        self.authKey = authKey
        self.tags = tags
        self.interface = interface
    }

    static let keys = ["kind", "auth_key", "tags", "interface"]
}
