import Logging
import LurusInventory
import LurusRemote

/// Probes, plans and applies units over an SSH session. Knows nothing of what the units are.
public struct Engine: Sendable {
    public var session: OpenSSHSession
    public var events: EventSink
    /// Makes text safe to print: replaces secret values (a second line of defence; plans never fetch them).
    public var redact: @Sendable (String) -> String
    public var logger: Logger

    public init(
        session: OpenSSHSession,
        events: @escaping EventSink = { _ in },
        redact: @escaping @Sendable (String) -> String = { $0 },
        logger: Logger
    ) {
        self.session = session
        self.events = events
        self.redact = redact
        self.logger = logger
    }

    // MARK: Plan

    /// Probes every node's resources (one round trip per node, all nodes at once) and plans each node.
    /// `units` are per node, in the order they run.
    public func plan(_ units: [(node: Node, units: [WorkUnit])]) async -> Plan {
        let results = await NodeFanOut.map(units.map(\.node)) { node in
            let nodeUnits = units.first { $0.node.name == node.name }?.units ?? []
            do {
                return Result<NodePlan, NodeFailure>.success(try await self.plan(node: node, units: nodeUnits))
            } catch {
                let failure = NodeFailure(node: node.name, message: self.redact("\(error)"))
                self.events(.nodeFailed(node: node.name, message: failure.message))
                return .failure(failure)
            }
        }
        var plans: [NodePlan] = []
        var failures: [NodeFailure] = []
        for result in results {
            switch result {
            case .success(let plan): plans.append(plan)
            case .failure(let failure): failures.append(failure)
            }
        }
        return Plan(nodes: plans, failures: failures)
    }

    /// One node: one probe round trip for all its resources, then the pure planner.
    func plan(node: Node, units: [WorkUnit]) async throws -> NodePlan {
        let start = ContinuousClock.now
        let resources = try Planner.resources(of: units)
        let result = try await self.session.run(ProbeBatch.command(for: resources), on: node)
        guard result.succeeded, let observed = ProbeBatch.parse(result.stdout, count: resources.count) else {
            let detail = String(decoding: result.stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw RemoteError(
                .commandFailed,
                node: node.name,
                address: "\(node.address)",
                "probing the node's state failed (\(result.outcome))\(detail.isEmpty ? "" : ": \(detail)")",
                hint: "run `lurusctl exec --on \(node.name) -- true` to check the node; then try again"
            )
        }
        var states: [ResourceID: ObservedState] = [:]
        for (resource, state) in zip(resources, observed) { states[resource.id] = state }
        let plan = Planner.plan(node: node, units: units, observed: states)
        self.events(
            .nodePlanned(
                node: node.name,
                changes: plan.changeCount,
                resources: resources.count,
                duration: ContinuousClock.now - start
            )
        )
        return plan
    }

    // MARK: Apply

    /// Applies `plan`: every node at once, each node's units in order, each unit after the units it needs
    /// (on any node) have succeeded. A failure skips what depends on it; independent work goes on.
    public func apply(_ plan: Plan, control: RunControl) async -> RunResult {
        let members = Set(plan.nodes.flatMap { $0.units.map(\.id) })
        let board = UnitBoard(members: members)
        let outcomes = await NodeFanOut.map(plan.nodes.map(\.node)) { node in
            let nodePlan = plan.nodes.first { $0.node.name == node.name }!
            return await self.apply(nodePlan, board: board, control: control)
        }
        let failed = plan.failures.map { NodeOutcome(node: $0.node, units: [], failure: $0.message) }
        let order = plan.nodes.map(\.node.name) + plan.failures.map(\.node)
        let all = (outcomes + failed).sorted {
            (order.firstIndex(of: $0.node) ?? 0) < (order.firstIndex(of: $1.node) ?? 0)
        }
        return RunResult(nodes: all, interrupted: control.isStopped || Task.isCancelled)
    }

    /// One node's units in order. Every unit is posted to the board, whatever happens, so no other node
    /// waits forever.
    func apply(_ plan: NodePlan, board: UnitBoard, control: RunControl) async -> NodeOutcome {
        let node = plan.node
        let total = plan.units.reduce(0) { $0 + Planner.steps(of: $1).count }
        var index = 0
        var lost: String?
        var results: [UnitResult] = []
        for unit in plan.units {
            let result = await self.apply(
                unit,
                on: node,
                board: board,
                control: control,
                lost: &lost,
                index: &index,
                total: total
            )
            for notice in result.notices { self.events(.notice(unit: unit.id, text: notice)) }
            await board.post(result)
            self.events(.unitFinished(result))
            results.append(result)
        }
        return NodeOutcome(node: node.name, units: results)
    }

    private func apply(
        _ unit: UnitPlan,
        on node: Node,
        board: UnitBoard,
        control: RunControl,
        lost: inout String?,
        index: inout Int,
        total: Int
    ) async -> UnitResult {
        var result = UnitResult(unit: unit.id, status: .skipped, unchanged: unit.unchanged, notices: unit.notices)
        if let lost {
            result.message = "not started: \(lost)"
            return result
        }
        if !Task.isCancelled {
            for needed in unit.unit.after {
                let other = await board.result(of: needed)
                if !other.status.succeeded {
                    result.message = "not started: it needs \(needed), which \(other.status.rawValue)"
                    return result
                }
            }
        }
        let steps = Planner.steps(of: unit)
        if steps.isEmpty {
            result.status = .unchanged
            return result
        }
        if control.isStopped || Task.isCancelled {
            result.message = "not started: the run was interrupted"
            return result
        }
        let start = ContinuousClock.now
        result.status = .changed
        for (position, step) in steps.enumerated() {
            if position > 0, control.isStopped || Task.isCancelled {
                result.status = .interrupted
                result.message =
                    "stopped after \(position) of \(steps.count) steps; run `lurusctl up` again to finish"
                break
            }
            index += 1
            self.events(.stepStarted(node: node.name, unit: unit.id, title: step.title, index: index, total: total))
            let stepStart = ContinuousClock.now
            let failure = await self.run(step, on: node)
            self.events(
                .stepFinished(
                    node: node.name,
                    unit: unit.id,
                    title: step.title,
                    index: index,
                    total: total,
                    failure: failure?.message,
                    duration: ContinuousClock.now - stepStart
                )
            )
            if let failure {
                result.status = .failed
                result.message = "\(step.title): \(failure.message)"
                if failure.nodeLost {
                    lost = "the connection to \(node.name) was lost during \(unit.id) (did it reboot?)"
                    self.events(.nodeFailed(node: node.name, message: lost!))
                }
                break
            }
            let changes = unit.changes.filter { step.changes.contains($0.id) }
            for change in changes where !result.changes.contains(Planner.title(of: change)) {
                if change.difference.action == .restart || change.difference.action == .reload {
                    result.restarts.append("\(change.difference.action.rawValue) \(change.id.name)")
                }
                result.changes.append(Planner.title(of: change))
            }
        }
        result.durationMilliseconds = Int((ContinuousClock.now - start).milliseconds)
        return result
    }

    /// Runs one step; nil when it succeeded.
    private func run(_ step: Step, on node: Node) async -> StepFailure? {
        do {
            switch step.command {
            case .upload(let path, let content, let mode, let owner):
                _ = try await self.session.upload(.bytes(content), to: path, mode: mode, owner: owner, on: node)
                return nil
            case .run(let command, let input, let timeout):
                return try await self.check(RemoteCommand(command, input: .bytes(input), timeout: timeout), on: node)
            case .aptInstall(let packages):
                let command = RemoteCommand(AptInstall.command(packages).command, timeout: .seconds(1200))
                return try await self.check(command, on: node)
            }
        } catch let error as RemoteError {
            let lost = [.unreachable, .transport, .timeout, .jumpHost].contains(error.kind)
            return StepFailure(message: self.redact(error.description), nodeLost: lost)
        } catch is CancellationError {
            return StepFailure(message: "cancelled (second Ctrl-C)", nodeLost: false)
        } catch {
            return StepFailure(message: self.redact("\(error)"), nodeLost: false)
        }
    }

    private func check(_ command: RemoteCommand, on node: Node) async throws -> StepFailure? {
        let result = try await self.session.run(command, on: node)
        if result.succeeded { return nil }
        let stderr = String(decoding: result.stderr, as: UTF8.self)
        let tail = stderr.split(separator: "\n").suffix(6).joined(separator: "\n")
        return StepFailure(message: self.redact("\(result.outcome)\(tail.isEmpty ? "" : ": \(tail)")"), nodeLost: false)
    }
}

struct StepFailure {
    var message: String
    var nodeLost: Bool
}

extension Duration {
    /// Whole milliseconds, for reports and JSON.
    public var milliseconds: Int64 {
        self.components.seconds * 1000 + self.components.attoseconds / 1_000_000_000_000_000
    }
}
