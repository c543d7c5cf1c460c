import LurusInventory
import LurusRemote

/// Probes, plans and applies units over a transport to the nodes. Knows nothing of what the units are.
public struct Engine: Sendable {
    public var transport: any NodeTransport
    public var events: EventSink
    /// Makes text safe to print: replaces secret values (a second line of defence; plans never fetch them).
    public var redact: @Sendable (String) -> String

    public init(
        transport: any NodeTransport,
        events: @escaping EventSink = { _ in },
        redact: @escaping @Sendable (String) -> String = { $0 }
    ) {
        self.transport = transport
        self.events = events
        self.redact = redact
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
        let result = try await self.transport.run(ProbeBatch.command(for: resources), on: node)
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

    /// One node's units, performing what its `NodeSchedule` decides. Every unit is posted to the board,
    /// whatever happens, so no other node waits forever.
    func apply(_ plan: NodePlan, board: UnitBoard, control: RunControl) async -> NodeOutcome {
        let node = plan.node
        var schedule = NodeSchedule(plan: plan)
        var results: [UnitResult] = []
        var unitStart: ContinuousClock.Instant?
        while true {
            let stop: NodeSchedule.Stop = Task.isCancelled ? .cancelled : control.isStopped ? .graceful : .none
            switch schedule.next(stop: stop) {
            case .awaitDependency(let needed):
                schedule.dependencyEnded(needed, status: await board.result(of: needed)?.status)
            case .runStep(let unit, let step, let index, let total):
                if unitStart == nil { unitStart = ContinuousClock.now }
                self.events(.stepStarted(node: node.name, unit: unit, title: step.title, index: index, total: total))
                let stepStart = ContinuousClock.now
                let failure = await self.run(step, on: node)
                self.events(
                    .stepFinished(
                        node: node.name,
                        unit: unit,
                        title: step.title,
                        index: index,
                        total: total,
                        failure: failure?.message,
                        duration: ContinuousClock.now - stepStart
                    )
                )
                schedule.stepEnded(failure: failure)
            case .reportNodeLost(let message):
                self.events(.nodeFailed(node: node.name, message: message))
            case .finishUnit(var result):
                if let start = unitStart {
                    result.durationMilliseconds = Int((ContinuousClock.now - start).milliseconds)
                }
                unitStart = nil
                for notice in result.notices { self.events(.notice(unit: result.unit, text: notice)) }
                board.post(result)
                self.events(.unitFinished(result))
                results.append(result)
            case .done:
                return NodeOutcome(node: node.name, units: results)
            }
        }
    }

    /// Runs one step; nil when it succeeded.
    private func run(_ step: Step, on node: Node) async -> StepFailure? {
        do {
            switch step.command {
            case .upload(let path, let content, let mode, let owner):
                _ = try await self.transport.upload(.bytes(content), to: path, mode: mode, owner: owner, on: node)
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
        let result = try await self.transport.run(command, on: node)
        if result.succeeded { return nil }
        let stderr = String(decoding: result.stderr, as: UTF8.self)
        let tail = stderr.split(separator: "\n").suffix(6).joined(separator: "\n")
        return StepFailure(message: self.redact("\(result.outcome)\(tail.isEmpty ? "" : ": \(tail)")"), nodeLost: false)
    }
}
