import Synchronization

/// Lets the caller stop a run gracefully: no new step starts once `stop()` is called; running steps end.
/// (A second Ctrl-C cancels the task instead, which kills what runs on the nodes.)
public final class RunControl: Sendable {
    private let stopped = Mutex(false)

    public init() {}

    public func stop() { self.stopped.withLock { $0 = true } }

    public var isStopped: Bool { self.stopped.withLock { $0 } }
}
