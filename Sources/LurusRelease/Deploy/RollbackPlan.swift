import LurusEngine
import LurusInventory

/// Where a rollback goes, per node and service, read from each node before anything is switched.
public struct RollbackPlan: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public var node: Node
        public var service: ResolvedService
        public var observed: SystemdObservation.Service
        public var choice: RollbackChoice
        /// The deployment that serves now.
        public var serving: String?

        public init(
            node: Node,
            service: ResolvedService,
            observed: SystemdObservation.Service,
            choice: RollbackChoice,
            serving: String? = nil
        ) {
            self.node = node
            self.service = service
            self.observed = observed
            self.choice = choice
            self.serving = serving ?? observed.serving
        }

        /// Whether carrying it out switches anything.
        public var changes: Bool {
            if case .deployment(let name) = self.choice { return name != self.serving }
            return false
        }
    }

    public var entries: [Entry] = []
    public var unreachable: [NodeFailure] = []
    /// Under K3s: what the server held when planned (the ledger entries a rollback re-applies).
    public var cluster: ClusterObservation?

    public init() {}

    public var nodes: [Node] {
        var nodes: [Node] = []
        for entry in self.entries where !nodes.contains(entry.node) { nodes.append(entry.node) }
        return nodes
    }

    public var lines: [String] {
        self.entries.map { entry in
            let from = entry.serving ?? "nothing"
            switch entry.choice {
            case .deployment(let name) where name == entry.serving:
                return "\(entry.node.name)  \(entry.service.name)  \(name)  serves already: unchanged"
            case .deployment(let name):
                return "\(entry.node.name)  \(entry.service.name)  \(from) -> \(name)"
            case .nothing(let why):
                return "\(entry.node.name)  \(entry.service.name)  cannot roll back: \(why)"
            }
        } + self.unreachable.map { "\($0.node)  cannot be read: \($0.message)" }
    }
}
