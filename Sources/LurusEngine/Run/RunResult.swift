import LurusInventory

/// How one unit ended.
public enum UnitStatus: String, Sendable, Codable, Hashable {
    /// Changes were applied.
    case changed
    /// Nothing needed doing.
    case unchanged
    /// A step failed; what depends on this unit is skipped.
    case failed
    /// Not started: something it needs failed, or the run was interrupted first.
    case skipped
    /// Started, then stopped by Ctrl-C between two steps: a rerun finishes it.
    case interrupted

    public var succeeded: Bool { self == .changed || self == .unchanged }
}

/// The end of one unit in a run.
public struct UnitResult: Sendable, Codable, Hashable {
    public var unit: UnitID
    public var status: UnitStatus
    /// The changes applied, e.g. `create file /etc/hosts`.
    public var changes: [String]
    /// Services restarted or reloaded.
    public var restarts: [String]
    /// Why it failed or was skipped.
    public var message: String?
    public var notices: [String]
    /// Resources already as desired.
    public var unchanged: Int
    public var durationMilliseconds: Int

    public init(
        unit: UnitID,
        status: UnitStatus,
        unchanged: Int = 0,
        changes: [String] = [],
        restarts: [String] = [],
        message: String? = nil,
        notices: [String] = [],
        durationMilliseconds: Int = 0
    ) {
        self.unit = unit
        self.status = status
        self.unchanged = unchanged
        self.changes = changes
        self.restarts = restarts
        self.message = message
        self.notices = notices
        self.durationMilliseconds = durationMilliseconds
    }
}

/// Every unit's end on one node.
public struct NodeOutcome: Sendable, Codable, Hashable {
    public var node: String
    public var units: [UnitResult]
    /// Set when the node could not be reached or probed at all.
    public var failure: String?

    public init(node: String, units: [UnitResult], failure: String? = nil) {
        self.node = node
        self.units = units
        self.failure = failure
    }

    public func count(_ status: UnitStatus) -> Int { self.units.filter { $0.status == status }.count }
    public var changes: [String] { self.units.flatMap(\.changes) }
    /// Resources that were already as desired.
    public var unchanged: Int { self.units.reduce(0) { $0 + $1.unchanged } }
    public var failed: Bool { self.failure != nil || self.units.contains { $0.status == .failed } }
}

/// The end of a whole run.
public struct RunResult: Sendable, Hashable {
    public var nodes: [NodeOutcome]
    public var interrupted: Bool

    public init(nodes: [NodeOutcome], interrupted: Bool) {
        self.nodes = nodes
        self.interrupted = interrupted
    }

    /// Changes applied (resources changed, services restarted), over all nodes.
    public var changed: Int { self.nodes.reduce(0) { $0 + $1.changes.count } }
    /// Resources that were already as desired.
    public var unchanged: Int { self.nodes.reduce(0) { $0 + $1.unchanged } }
    /// Units that failed, and nodes that could not be planned at all.
    public var failed: Int { self.nodes.reduce(0) { $0 + $1.count(.failed) + ($1.failure == nil ? 0 : 1) } }
    /// Units not started or stopped midway.
    public var skipped: Int { self.nodes.reduce(0) { $0 + $1.count(.skipped) + $1.count(.interrupted) } }
    public var succeeded: Bool { !self.interrupted && self.failed == 0 && self.skipped == 0 }

    /// This result followed by a later pass over the same nodes: a unit's later result replaces its earlier
    /// one, and nodes or units only the later pass has are added.
    public func merging(_ later: RunResult) -> RunResult {
        var nodes = self.nodes
        for outcome in later.nodes {
            guard let index = nodes.firstIndex(where: { $0.node == outcome.node }) else {
                nodes.append(outcome)
                continue
            }
            var units = nodes[index].units
            for unit in outcome.units {
                if let known = units.firstIndex(where: { $0.unit == unit.unit }) {
                    units[known] = unit
                } else {
                    units.append(unit)
                }
            }
            nodes[index] = NodeOutcome(
                node: outcome.node,
                units: units,
                failure: outcome.failure ?? nodes[index].failure
            )
        }
        return RunResult(nodes: nodes, interrupted: self.interrupted || later.interrupted)
    }
}
