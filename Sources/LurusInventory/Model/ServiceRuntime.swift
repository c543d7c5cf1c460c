/// How the bundled services run.
public enum ServiceRuntime: String, Sendable, Hashable, CaseIterable {
    /// OCI images in K3s: Deployments, rollout status, rollout undo. The production default.
    case k3s
    /// A binary and a systemd unit per service on the nodes it is placed on. Small setups and the local lab.
    case systemd
}
