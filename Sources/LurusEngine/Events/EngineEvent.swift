import LurusInventory

/// What the engine reports while it works, in the order it happens. Output (live view, plain lines, JSON)
/// is the caller's business.
public enum EngineEvent: Sendable {
    /// A node was probed; `changes` things differ from what is wanted.
    case nodePlanned(node: String, changes: Int, resources: Int, duration: Duration)
    /// A node could not be probed or lost mid-run.
    case nodeFailed(node: String, message: String)
    case stepStarted(node: String, unit: UnitID, title: String, index: Int, total: Int)
    case stepFinished(
        node: String,
        unit: UnitID,
        title: String,
        index: Int,
        total: Int,
        failure: String?,
        duration: Duration
    )
    case notice(unit: UnitID, text: String)
    case unitFinished(UnitResult)
}

/// Receives events; called from many tasks at once, so it must be thread-safe and quick.
public typealias EventSink = @Sendable (EngineEvent) -> Void
