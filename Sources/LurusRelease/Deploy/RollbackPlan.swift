import LurusEngine
import LurusInventory

/// Where a rollback goes, per node and service, read from each node before anything is switched.
public struct RollbackPlan: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public var node: Node
        public var service: ResolvedService
        public var observed: SystemdObservation.Service
        public var choice: RollbackChoice

        /// Whether carrying it out switches anything.
        public var changes: Bool {
            if case .deployment(let name) = self.choice { return name != self.observed.serving }
            return false
        }
    }

    public var entries: [Entry] = []
    public var unreachable: [NodeFailure] = []

    public init() {}

    public var nodes: [Node] {
        var nodes: [Node] = []
        for entry in self.entries where !nodes.contains(entry.node) { nodes.append(entry.node) }
        return nodes
    }

    public var lines: [String] {
        self.entries.map { entry in
            let from = entry.observed.serving ?? "nothing"
            switch entry.choice {
            case .deployment(let name) where name == entry.observed.serving:
                return "\(entry.node.name)  \(entry.service.name)  \(name)  serves already: unchanged"
            case .deployment(let name):
                return "\(entry.node.name)  \(entry.service.name)  \(from) -> \(name)"
            case .nothing(let why):
                return "\(entry.node.name)  \(entry.service.name)  cannot roll back: \(why)"
            }
        } + self.unreachable.map { "\($0.node)  cannot be read: \($0.message)" }
    }
}
