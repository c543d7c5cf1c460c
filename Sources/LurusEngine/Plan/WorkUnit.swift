import LurusInventory

/// Names one component on one node: the unit of work of a run.
public struct UnitID: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var node: String
    public var component: String

    public init(node: String, component: String) {
        self.node = node
        self.component = component
    }

    public var description: String { "\(self.component) on \(self.node)" }

    public static func < (lhs: UnitID, rhs: UnitID) -> Bool {
        (lhs.node, lhs.component) < (rhs.node, rhs.component)
    }
}

/// What one component wants on one node, and what must be done before it (on any node).
///
/// Components make units; the engine orders, probes, plans and applies them without knowing what they are.
public struct WorkUnit: Sendable, Hashable {
    public var id: UnitID
    /// In the order they are applied.
    public var resources: [Resource]
    /// Units that must have succeeded first, on this node or another.
    public var after: [UnitID]
    /// Things the component decided not to do here, and why (kernel settings inside a container, say).
    public var notices: [String]
    /// The component could not be planned yet (it needs something this run makes first, such as a mesh
    /// address): it has no resources now and is planned again once the rest of the run has been applied.
    public var deferred: Bool

    public init(
        id: UnitID,
        resources: [Resource],
        after: [UnitID] = [],
        notices: [String] = [],
        deferred: Bool = false
    ) {
        self.id = id
        self.resources = resources
        self.after = after
        self.notices = notices
        self.deferred = deferred
    }
}
