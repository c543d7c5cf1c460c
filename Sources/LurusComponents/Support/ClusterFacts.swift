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
