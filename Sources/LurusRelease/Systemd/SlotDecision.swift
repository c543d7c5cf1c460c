/// Which slot a deploy of a service on a node goes to, from what the node has: pure, so every case is a
/// test with no node.
///
/// A new deployment always starts in the slot that does not serve, beside the one that does; traffic moves
/// only once it answers its health check, so a release that cannot start never takes a request and the
/// serving one never stops (the "automatic rollback" of the systemd runtime is that nothing was switched).
public enum SlotDecision: Sendable, Hashable {
    /// The serving slot already runs what is wanted: nothing to do, nothing restarted.
    case unchanged(SystemdLayout.Slot)
    /// Start `slot` (linking it to the deployment first when `link`; not when it already holds it, as after
    /// a deploy that a rollback now undoes), gate it, then move traffic to it and stop the other.
    case switchTo(SystemdLayout.Slot, link: Bool)

    /// What a node has of one service.
    public struct Observed: Sendable, Hashable {
        /// The deployment each slot's link points to.
        public var slots: [SystemdLayout.Slot: String]
        /// The slot the local proxy sends traffic to; nil before the first deploy.
        public var serving: SystemdLayout.Slot?
        /// The slots whose unit is active.
        public var running: Set<SystemdLayout.Slot>

        public init(
            slots: [SystemdLayout.Slot: String] = [:],
            serving: SystemdLayout.Slot? = nil,
            running: Set<SystemdLayout.Slot> = []
        ) {
            self.slots = slots
            self.serving = serving
            self.running = running
        }
    }

    /// Where `deployment` (a deployment's name: release and configuration) goes on a node that has `observed`.
    public static func decide(_ observed: Observed, deployment: String) -> SlotDecision {
        if let serving = observed.serving, observed.slots[serving] == deployment, observed.running.contains(serving) {
            return .unchanged(serving)
        }
        let target = observed.serving?.other ?? .blue
        return .switchTo(target, link: observed.slots[target] != deployment)
    }
}
