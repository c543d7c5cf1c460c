/// The timings of a service's pods: probes, the pause before SIGTERM, and the grace period after it.
///
/// On termination the pod leaves the Service's endpoints while `preStop` sleeps, so Traefik and kube-proxy
/// stop sending it requests before the service is asked to stop (kubernetes #43576); the service then
/// drains for up to its `drainSeconds`; the grace period covers both with a margin before SIGKILL.
public struct PodTimings: Sendable, Hashable {
    /// The `preStop` sleep: long enough for endpoint removal to reach every node.
    public var preStopSeconds: Int = 5
    /// Added after the drain before the kubelet sends SIGKILL.
    public var marginSeconds: Int = 5
    /// Readiness: every 5 s, out of the Service after 2 misses (10 s), 2 s to answer.
    public var readinessPeriodSeconds: Int = 5
    public var readinessFailureThreshold: Int = 2
    /// Liveness: every 10 s, restarted after 3 misses (30 s).
    public var livenessPeriodSeconds: Int = 10
    public var livenessFailureThreshold: Int = 3
    public var probeTimeoutSeconds: Int = 2
    /// Start-up: every second for up to 60 s, before liveness begins (the gateway is healthy in 0.1 s).
    public var startupFailureThreshold: Int = 60
    /// A rollout that makes no progress for this long is failed by Kubernetes itself (the verdict of
    /// `RolloutVerdict` usually comes much sooner).
    public var progressDeadlineSeconds: Int = 300

    public init() {}

    /// `terminationGracePeriodSeconds` for a service that drains for `drainSeconds`.
    public func terminationGraceSeconds(drainSeconds: Int) -> Int {
        self.preStopSeconds + drainSeconds + self.marginSeconds
    }
}
