/// Which K3s deployments of a service are deleted. Pure.
public enum K3sRetention {
    public struct Doomed: Sendable, Hashable {
        public var entries: [String]
        /// `Kind/NAME` to delete: the ledger ConfigMaps and the objects only they named.
        public var objects: [String]
        /// Image digests of the pruned entries that no kept entry runs.
        public var digests: Set<String>
        /// Image digests the kept entries run: never removed from a node.
        public var kept: Set<String>
    }

    /// All but the newest `keep` of `entries` (by when deployed), never one in `protected`.
    public static func prune(_ entries: [LedgerEntry], keep: Int, protected: Set<String>) -> Doomed {
        let newestFirst = entries.sorted {
            ($0.record.deployedAt, $0.deployment) > ($1.record.deployedAt, $1.deployment)
        }
        let held = newestFirst.filter { protected.contains($0.deployment) }.count
        var kept: [LedgerEntry] = []
        var removed: [LedgerEntry] = []
        var others = 0
        for entry in newestFirst {
            if protected.contains(entry.deployment) {
                kept.append(entry)
            } else if others + held < keep {
                others += 1
                kept.append(entry)
            } else {
                removed.append(entry)
            }
        }
        let named = Set(kept.flatMap(\.objects))
        let running = Set(kept.compactMap { $0.image.split(separator: "@").last.map(String.init) })
        var objects = removed.map { "ConfigMap/\($0.configMapName)" }
        for object in removed.flatMap(\.objects) where !named.contains(object) && !objects.contains(object) {
            objects.append(object)
        }
        return Doomed(
            entries: removed.map(\.deployment),
            objects: objects,
            digests: Set(removed.compactMap { $0.image.split(separator: "@").last.map(String.init) }).subtracting(
                running
            ),
            kept: running
        )
    }
}
