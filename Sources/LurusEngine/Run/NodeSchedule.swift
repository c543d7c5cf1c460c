/// The decisions of applying one node's plan, apart from the I/O: which unit waits for what, which step
/// runs next, what is skipped and why. The engine performs the actions it returns (wait on the board, run
/// a step on the node, post a result) and feeds back what happened; tests drive it with no node at all.
///
/// The rules:
/// - a unit starts only after every unit it needs (on any node) has succeeded; one that failed or was
///   skipped skips it, naming which;
/// - once the connection to the node is lost, the node's remaining units are not started;
/// - once the run is stopped (Ctrl-C), no new step starts: a unit stopped between two steps is
///   interrupted, and units not yet started are skipped; when the task is cancelled, no unit waits for
///   another any more.
public struct NodeSchedule: Sendable {
    /// What the engine must do next.
    public enum Action: Sendable, Hashable {
        /// Wait until `unit` has ended (on any node), then call `dependencyEnded`.
        case awaitDependency(UnitID)
        /// Run `step` of `unit` (number `index` of the node's `total`), then call `stepEnded`.
        case runStep(unit: UnitID, step: Step, index: Int, total: Int)
        /// The connection to the node was lost: report it once.
        case reportNodeLost(String)
        /// `result` is how a unit ended: post it, so units that wait for it go on.
        case finishUnit(UnitResult)
        /// Every unit of the node has ended.
        case done
    }

    /// Whether the run was asked to stop.
    public enum Stop: Sendable, Hashable {
        case none
        /// The first Ctrl-C: running steps end, no new one starts.
        case graceful
        /// The second Ctrl-C (task cancelled): what runs is killed, nothing waits any more.
        case cancelled
    }

    private enum Phase: Sendable, Hashable {
        case notStarted
        case waiting(remaining: [UnitID])
        case running(steps: [Step], next: Int)
    }

    public let plan: NodePlan
    public let total: Int
    /// Each unit's steps, made once.
    private let steps: [[Step]]
    private var position = 0
    private var phase = Phase.notStarted
    private var result: UnitResult?
    private var index = 0
    private var lost: String?
    private var lostReported = false

    public init(plan: NodePlan) {
        self.plan = plan
        self.steps = plan.units.map(Planner.steps(of:))
        self.total = self.steps.reduce(0) { $0 + $1.count }
    }

    private var unit: UnitPlan { self.plan.units[self.position] }

    /// The next action, given whether the run was stopped meanwhile.
    public mutating func next(stop: Stop) -> Action {
        if let lost, !self.lostReported {
            self.lostReported = true
            return .reportNodeLost(lost)
        }
        guard self.position < self.plan.units.count else { return .done }
        switch self.phase {
        case .notStarted:
            var result = UnitResult(
                unit: self.unit.id,
                status: .skipped,
                unchanged: self.unit.unchanged,
                notices: self.unit.notices
            )
            if let lost {
                result.message = "not started: \(lost)"
                return self.finish(result)
            }
            self.result = result
            self.phase = .waiting(remaining: stop == .cancelled ? [] : self.unit.unit.after)
            return self.next(stop: stop)
        case .waiting(let remaining):
            guard let needed = remaining.first else { return self.start(stop: stop) }
            if let later = self.plan.units[(self.position + 1)...].first(where: { $0.id == needed }) {
                // Waiting would never end: the unit needed runs after this one, on this very node.
                return self.finish(
                    message: "not started: it needs \(later.id), which runs after it on \(self.plan.node.name) "
                        + "(the components' order is wrong: report this as a bug)"
                )
            }
            return .awaitDependency(needed)
        case .running(let steps, let next):
            if next == steps.count { return self.finish(self.result!) }
            if next > 0, stop != .none {
                self.result!.status = .interrupted
                self.result!.message =
                    "stopped after \(next) of \(steps.count) steps; run `lurusctl up` again to finish"
                return self.finish(self.result!)
            }
            self.index += 1
            return .runStep(unit: self.unit.id, step: steps[next], index: self.index, total: self.total)
        }
    }

    /// How a unit this one waits for ended; nil when the wait was abandoned (the task was cancelled).
    public mutating func dependencyEnded(_ needed: UnitID, status: UnitStatus?) {
        guard case .waiting(var remaining) = self.phase, remaining.first == needed else { return }
        guard let status else {
            self.result!.message = "not started: the run was interrupted"
            self.phase = .running(steps: [], next: 0)
            return
        }
        if !status.succeeded {
            self.result!.message = "not started: it needs \(needed), which \(status.rawValue)"
            self.phase = .running(steps: [], next: 0)
            return
        }
        remaining.removeFirst()
        self.phase = .waiting(remaining: remaining)
    }

    /// How the step last returned by `next` ended: nil when it succeeded.
    public mutating func stepEnded(failure: StepFailure?) {
        guard case .running(let steps, let next) = self.phase, next < steps.count else { return }
        let step = steps[next]
        if let failure {
            self.result!.status = .failed
            self.result!.message = "\(step.title): \(failure.message)"
            if failure.nodeLost {
                self.lost = "the connection to \(self.plan.node.name) was lost during \(self.unit.id) (did it reboot?)"
            }
            self.phase = .running(steps: steps, next: steps.count)
            return
        }
        for change in self.unit.changes where step.changes.contains(change.id) {
            let title = Planner.title(of: change)
            guard !self.result!.changes.contains(title) else { continue }
            if change.difference.action == .restart || change.difference.action == .reload {
                self.result!.restarts.append("\(change.difference.action.rawValue) \(change.id.name)")
            }
            self.result!.changes.append(title)
        }
        self.phase = .running(steps: steps, next: next + 1)
    }

    /// After the waits: nothing to do, not allowed to start, or the first step.
    private mutating func start(stop: Stop) -> Action {
        let steps = self.steps[self.position]
        if steps.isEmpty {
            self.result!.status = .unchanged
            return self.finish(self.result!)
        }
        if stop != .none {
            self.result!.message = "not started: the run was interrupted"
            return self.finish(self.result!)
        }
        self.result!.status = .changed
        self.phase = .running(steps: steps, next: 0)
        return self.next(stop: stop)
    }

    private mutating func finish(message: String) -> Action {
        self.result!.message = message
        return self.finish(self.result!)
    }

    private mutating func finish(_ result: UnitResult) -> Action {
        self.position += 1
        self.phase = .notStarted
        self.result = nil
        return .finishUnit(result)
    }
}

/// Why a step failed, and whether the node itself was lost with it.
public struct StepFailure: Sendable, Hashable {
    public var message: String
    public var nodeLost: Bool

    public init(message: String, nodeLost: Bool) {
        self.message = message
        self.nodeLost = nodeLost
    }
}
