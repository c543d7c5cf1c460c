import LurusEngine
import LurusInventory

/// What a deploy will do, per node and service, decided from what each node has: shown before it is done.
public struct DeployPlan: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public var node: Node
        public var target: SystemdDeployer.Target
        public var observed: SystemdObservation.Service
        public var decision: SlotDecision
        /// Whether the node lacks the release, so its binary is sent.
        public var ships: Bool

        public var changes: Bool {
            if case .unchanged = self.decision { false } else { true }
        }
    }

    public var release: ReleaseID
    public var entries: [Entry] = []
    /// Nodes that could not be read, or whose service's configuration could not be made, with why.
    public var unreachable: [NodeFailure] = []
    /// Under the K3s runtime: the images and rollouts (the systemd entries are then empty).
    public var rollout: K3sRolloutPlan?

    public init(release: ReleaseID) {
        self.release = release
    }

    /// The nodes with entries, in the order first seen.
    public var nodes: [Node] {
        var nodes: [Node] = []
        for entry in self.entries where !nodes.contains(entry.node) { nodes.append(entry.node) }
        for node in self.rollout?.nodes ?? [] where !nodes.contains(node) { nodes.append(node) }
        return nodes
    }

    public var changeCount: Int { self.entries.filter(\.changes).count + (self.rollout?.changeCount ?? 0) }

    /// One line per entry: `brain  gateway  3f2a...-9c1d  start in blue (ship 48.1 MB), then switch`.
    public var lines: [String] {
        self.entries.map { entry in
            let name = entry.target.deployment.name
            let what: String
            switch entry.decision {
            case .unchanged(let slot): what = "unchanged (serving from \(slot.rawValue))"
            case .switchTo(let slot, _):
                let from = entry.observed.serving.map { "from \($0)" } ?? "first deployment"
                let executable = entry.target.service.definition.executable
                let ship: String
                if !entry.ships {
                    ship = ""
                } else if let binary = entry.target.manifest.binary(executable) {
                    ship = ", ship \(Self.megabytes(binary.shippedBytes))"
                } else {
                    ship = ", build and ship"
                }
                what =
                    "start in \(slot.rawValue)\(ship), gate on \(entry.target.service.definition.healthPath), switch (\(from))"
            }
            return "\(entry.node.name)  \(entry.target.service.name)  \(name)  \(what)"
        } + (self.rollout?.lines ?? []) + self.unreachable.map { "\($0.node)  cannot be read: \($0.message)" }
    }

    public static func megabytes(_ bytes: Int) -> String {
        let tenths = (bytes * 10 + (1 << 19)) >> 20
        return "\(tenths / 10).\(tenths % 10) MB"
    }
}
