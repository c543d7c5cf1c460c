/// Which deployment a rollback puts a service back on, on one node. Pure.
public enum RollbackChoice: Sendable, Hashable {
    case deployment(String)
    /// Nothing to go back to, and why.
    case nothing(String)

    static let hint = "see what `lurusctl releases` lists; roll back with --to to a release kept on every node"

    /// Without `release`: the deployment the other slot holds (what served before the last switch). With
    /// it: the newest deployment of that release still kept on the node (the serving one when it is that
    /// release already, which makes the rollback change nothing).
    public static func target(_ observed: SystemdObservation.Service, release: ReleaseID?) -> RollbackChoice {
        guard let serving = observed.serving else { return .nothing("nothing of it is deployed") }
        guard let release else {
            guard let previous = observed.rollbackTarget, observed.deployments[previous] != nil else {
                return .nothing("no earlier release is kept to go back to")
            }
            return .deployment(previous)
        }
        if Deployment.release(of: serving) == release { return .deployment(serving) }
        let candidates = observed.deployments.filter { name, _ in
            Deployment.release(of: name) == release && observed.releases.contains(release)
        }
        guard let newest = candidates.max(by: { ($0.value, $0.key) < ($1.value, $1.key) }) else {
            let kept = observed.releases.map(\.value).sorted().joined(separator: ", ")
            return .nothing("release \(release) is not kept here (kept: \(kept.isEmpty ? "none" : kept))")
        }
        return .deployment(newest.key)
    }

    /// The same under K3s, from the server's ledger: without `release`, the deployment the service served
    /// before (the Deployment's `lurus.dev/previous`); with it, the newest kept deployment of that release.
    public static func target(_ service: String, in cluster: ClusterObservation, release: ReleaseID?) -> RollbackChoice
    {
        guard let serving = cluster.workloads[service]?.deployment else { return .nothing("nothing of it is deployed") }
        let entries = cluster.ledger.entries(of: service)
        guard let release else {
            guard let previous = cluster.workloads[service]?.previous, !previous.isEmpty,
                entries.contains(where: { $0.deployment == previous })
            else { return .nothing("no earlier release is kept to go back to") }
            return .deployment(previous)
        }
        if Deployment.release(of: serving) == release { return .deployment(serving) }
        guard let newest = entries.first(where: { $0.record.release == release.value }) else {
            let kept = Set(entries.map(\.record.release)).sorted().joined(separator: ", ")
            return .nothing("release \(release) is not kept in the cluster (kept: \(kept.isEmpty ? "none" : kept))")
        }
        return .deployment(newest.deployment)
    }
}
