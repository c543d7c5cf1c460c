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

    /// What to remove from a node that has `deployments` (name: when deployed) of `releases`: the releases
    /// beyond the newest `keep` (by their newest deployment) with all their deployments, and the older
    /// deployments of a kept release. Nothing in `protected` (the serving deployment and the rollback
    /// target) nor its release is removed.
    public static func prune(
        deployments: [String: Double],
        releases: Set<ReleaseID>,
        keep: Int,
        protected: Set<String>
    ) -> (deployments: [String], releases: [ReleaseID]) {
        var newest: [ReleaseID: (name: String, at: Double)] = [:]
        for (name, at) in deployments {
            guard let release = Deployment.release(of: name) else { continue }
            if let known = newest[release], (known.at, known.name) >= (at, name) { continue }
            newest[release] = (name, at)
        }
        let kept = releases.union(newest.keys).map { Kept(id: $0, deployedAt: newest[$0]?.at ?? 0) }
        let protectedReleases = Set(protected.compactMap(Deployment.release(of:)))
        let removedReleases = self.prune(kept, keep: keep, protected: protectedReleases)
        let removed = Set(removedReleases)
        let removedDeployments = deployments.keys.filter { name in
            guard !protected.contains(name), let release = Deployment.release(of: name) else { return false }
            return removed.contains(release) || newest[release]?.name != name
        }
        return (removedDeployments.sorted(), removedReleases.filter(releases.contains))
    }
}
