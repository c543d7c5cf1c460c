import LurusInventory

/// One resource that must change, and how.
public struct PlannedChange: Sendable, Hashable {
    public var resource: Resource
    public var difference: Difference

    public var id: ResourceID { self.resource.id }
}

/// What a unit must do: its changes in order, and the notices of things left alone.
public struct UnitPlan: Sendable, Hashable {
    public var unit: WorkUnit
    public var changes: [PlannedChange]
    /// Resources already as desired.
    public var unchanged: Int
    public var notices: [String]

    public var id: UnitID { self.unit.id }
    public var restarts: [PlannedChange] {
        self.changes.filter { $0.difference.action == .restart || $0.difference.action == .reload }
    }
}

/// What must change on one node, unit by unit, in the order they will run.
public struct NodePlan: Sendable, Hashable {
    public var node: Node
    public var units: [UnitPlan]

    public var changeCount: Int { self.units.reduce(0) { $0 + $1.changes.count } }
}

/// The plan of a whole run: per node, or why a node could not be planned.
public struct Plan: Sendable {
    public var nodes: [NodePlan]
    /// Nodes that could not be probed, with the reason.
    public var failures: [NodeFailure]

    public init(nodes: [NodePlan], failures: [NodeFailure]) {
        self.nodes = nodes
        self.failures = failures
    }

    public var changeCount: Int { self.nodes.reduce(0) { $0 + $1.changeCount } }
    public var nodesWithChanges: Int { self.nodes.filter { $0.changeCount > 0 }.count }
}

/// A node that could not be planned or run, and why.
public struct NodeFailure: Error, Sendable, Hashable {
    public var node: String
    public var message: String

    public init(node: String, message: String) {
        self.node = node
        self.message = message
    }
}
