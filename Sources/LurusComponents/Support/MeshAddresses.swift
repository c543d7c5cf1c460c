import LurusInventory
import LurusRemote

/// Each node's mesh address: the address internal traffic uses and every component listens on.
///
/// With `mesh: none` it is the inventory's `private_address` (else `address`). With Tailscale it is the
/// IPv4 address on the Tailscale interface, read from the node's facts, so it is known only once Tailscale
/// is up there.
public struct MeshAddresses: Sendable {
    var inventory: Inventory
    var facts: ClusterFacts

    public init(inventory: Inventory, facts: ClusterFacts) {
        self.inventory = inventory
        self.facts = facts
    }

    /// The mesh address of `node`, or nil while Tailscale is not up there.
    public func address(of node: Node) -> String? {
        if let known = self.inventory.meshAddress(of: node) { return known.description }
        switch self.inventory.mesh {
        case .none:
            return nil
        case .tailscale(let settings):
            let entry = self.facts[node.name]?.addresses.first {
                $0.interface == settings.interface && $0.family == "inet"
            }
            return entry.map { String($0.address.prefix { $0 != "/" }) }
        }
    }

    /// `HOST:PORT` as listen flags, URLs and scrape targets write it: an IPv6 literal in brackets.
    public static func hostPort(_ host: String, _ port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// K3s's default pod network (`--cluster-cidr`, which lurusctl leaves as it is).
    public static let k3sPodNetwork = "10.42.0.0/16"

    /// The networks whose clients internal services accept, as CIDR blocks: the mesh, and on a K3s node the
    /// pod network as well.
    ///
    /// Tailscale hands out 100.64.0.0/10 and fd7a:115c:a1e0::/48. Without a mesh it is the network of the
    /// interface holding the node's address (from its facts), or the address alone when that is unknown.
    /// A pod reaching a service on another node arrives from that node's mesh address (flannel masquerades
    /// it); a pod on the service's own node arrives from its pod address (local delivery is not
    /// masqueraded), so a K3s node also accepts the pod network: the log service next to ClickHouse on Lab.
    public func network(of node: Node) -> [String] {
        let pods = node.components.contains { $0 == .k3sServer || $0 == .k3sAgent } ? [Self.k3sPodNetwork] : []
        return self.meshNetwork(of: node) + pods
    }

    func meshNetwork(of node: Node) -> [String] {
        switch self.inventory.mesh {
        case .tailscale:
            return ["100.64.0.0/10", "fd7a:115c:a1e0::/48"]
        case .none:
            guard let address = self.address(of: node) else { return [] }
            let onInterface = self.facts[node.name]?.addresses.first {
                $0.family == "inet" && $0.address.hasPrefix(address + "/")
            }
            guard let onInterface, let network = IPv4Network(cidr: onInterface.address) else {
                return ["\(address)/32"]
            }
            return [network.description]
        }
    }
}
