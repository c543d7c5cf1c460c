import Synchronization

/// Holds events back until the run may show them: planning starts while the cluster lock is being
/// taken, but an operator must not see plan lines from a run that then finds the cluster locked.
final class EventGate: Sendable {
    private enum State {
        case holding([EngineEvent])
        case open
        case closed
    }

    private let sink: EventSink
    private let state = Mutex(State.holding([]))

    init(forwardingTo sink: @escaping EventSink) {
        self.sink = sink
    }

    /// The sink to hand to the work whose events are held.
    var events: EventSink { { [self] event in self.receive(event) } }

    private func receive(_ event: EngineEvent) {
        let forward = self.state.withLock { state in
            switch state {
            case .holding(var held):
                held.append(event)
                state = .holding(held)
                return false
            case .open: return true
            case .closed: return false
            }
        }
        if forward { self.sink(event) }
    }

    /// Shows what was held, in order, and everything after it as it comes.
    func open() {
        // Forwarded under the lock, so an event arriving meanwhile cannot overtake the held ones.
        self.state.withLock { state in
            if case .holding(let held) = state {
                for event in held { self.sink(event) }
            }
            state = .open
        }
    }

    /// Drops what was held and everything after it.
    func discard() {
        self.state.withLock { $0 = .closed }
    }
}
