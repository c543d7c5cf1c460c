import LurusInventory
import LurusRemote

/// The facts of the nodes a plan could read, by node name. A node missing here (down, or outside `--on`
/// with a mesh that needs its facts) is planned around: what needs its mesh address waits for a later run.
public struct ClusterFacts: Sendable {
    public var nodes: [String: NodeFacts]

    public init(_ nodes: [String: NodeFacts] = [:]) {
        self.nodes = nodes
    }

    public subscript(node: String) -> NodeFacts? { self.nodes[node] }
}

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

/// An IPv4 network from an interface address such as `10.77.0.12/24` (its host bits cleared).
struct IPv4Network: CustomStringConvertible {
    var address: UInt32
    var prefix: Int

    init?(cidr: String) {
        let parts = cidr.split(separator: "/")
        guard parts.count == 2, let prefix = Int(parts[1]), (0...32).contains(prefix) else { return nil }
        let octets = parts[0].split(separator: ".").compactMap { UInt32($0) }
        guard octets.count == 4, octets.allSatisfy({ $0 < 256 }) else { return nil }
        let value = octets.reduce(0) { $0 << 8 | $1 }
        let mask: UInt32 = prefix == 0 ? 0 : ~UInt32(0) << UInt32(32 - prefix)
        self.address = value & mask
        self.prefix = prefix
    }

    var description: String {
        let octets = [24, 16, 8, 0].map { String((self.address >> UInt32($0)) & 0xff) }
        return "\(octets.joined(separator: "."))/\(self.prefix)"
    }
}
