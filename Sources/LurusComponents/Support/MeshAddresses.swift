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

    /// The network the mesh addresses live in, as CIDR blocks: the only clients internal services accept.
    ///
    /// Tailscale hands out 100.64.0.0/10 and fd7a:115c:a1e0::/48. Without a mesh it is the network of the
    /// interface holding the node's address (from its facts), or the address alone when that is unknown.
    public func network(of node: Node) -> [String] {
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
