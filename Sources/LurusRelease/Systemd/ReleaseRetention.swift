/// Which releases of a service a node keeps: the newest `keep`, and always the ones that serve or that a
/// rollback would go to, however old (pruning the rollback target is how rollbacks break elsewhere).
public enum ReleaseRetention {
    /// A release on a node and when it was last deployed there.
    public struct Kept: Sendable, Hashable {
        public var id: ReleaseID
        public var deployedAt: Double

        public init(id: ReleaseID, deployedAt: Double) {
            self.id = id
            self.deployedAt = deployedAt
        }
    }

    /// The releases to remove from `releases`: all but the newest `keep`, never one in `protected`.
    public static func prune(_ releases: [Kept], keep: Int, protected: Set<ReleaseID>) -> [ReleaseID] {
        let newestFirst = releases.sorted { ($0.deployedAt, $0.id) > ($1.deployedAt, $1.id) }
        let held = protected.intersection(releases.map(\.id)).count
        var kept = 0
        var removed: [ReleaseID] = []
        for release in newestFirst {
            if protected.contains(release.id) { continue }
            // The protected ones count towards `keep`, so a node never holds more than it says.
            if kept + held < keep {
                kept += 1
            } else {
                removed.append(release.id)
            }
        }
        return removed.sorted()
    }
}
