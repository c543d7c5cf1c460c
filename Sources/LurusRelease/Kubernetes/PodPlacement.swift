import LurusInventory

/// Where a service's pods may run, from the nodes the inventory places it on: a nodeSelector of the
/// labels those nodes share, a required node affinity on their names when those labels alone would also
/// let pods onto another K3s node, and a toleration for every taint they carry.
public struct PodPlacement: Sendable, Hashable {
    public var nodeSelector: [Node.Label]
    /// Node names the pods are held to; empty when the nodeSelector is enough.
    public var hostnames: [String]
    public var tolerations: [Taint]

    /// The placement of pods on `placed`, among the cluster's K3s nodes `cluster`. Pure.
    public static func of(_ placed: [Node], among cluster: [Node]) -> PodPlacement {
        let shared = (placed.first?.labels ?? []).filter { label in
            placed.allSatisfy { $0.labels.contains(label) }
        }
        let names = Set(placed.map(\.name))
        let strays = cluster.filter { node in
            !names.contains(node.name) && shared.allSatisfy { node.labels.contains($0) }
        }
        var tolerations: [Taint] = []
        for taint in placed.flatMap(\.taints) where !tolerations.contains(taint) { tolerations.append(taint) }
        return PodPlacement(
            nodeSelector: shared,
            hostnames: strays.isEmpty ? [] : placed.map(\.name),
            tolerations: tolerations
        )
    }
}
