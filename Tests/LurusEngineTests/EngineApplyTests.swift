import LurusInventory
import LurusRemote
import Synchronization
import Testing

@testable import LurusEngine

/// The apply rules, through the engine with a transport in memory: a failed dependency skips what needs
/// it, a lost node skips the rest of that node, Ctrl-C finishes the step under way and starts no other,
/// and a second Ctrl-C frees units that wait. No node is involved.
@Suite struct EngineApplyTests {
    static let one = Node(name: "one", address: .ipv4("10.0.0.1"))
    static let two = Node(name: "two", address: .ipv4("10.0.0.2"))

    /// A unit of unguarded commands (each runs on every apply), named `component-1`, `component-2`, ...
    static func unit(_ component: String, on node: Node, steps: Int = 1, after: [UnitID] = []) -> WorkUnit {
        WorkUnit(
            id: UnitID(node: node.name, component: component),
            resources: (1...steps).map { index in
                Resource(
                    .command(Command("\(component)-\(index)", ShellCommand(["\(component)-\(index)"]))),
                    component: component
                )
            },
            after: after
        )
    }

    static func plan(_ units: [(Node, [WorkUnit])]) -> Plan {
        Plan(
            nodes: units.map { node, units in Planner.plan(node: node, units: units, observed: [:]) },
            failures: []
        )
    }

    static func result(_ run: RunResult, _ component: String, on node: Node) -> UnitResult? {
        run.nodes.first { $0.node == node.name }?.units.first { $0.unit.component == component }
    }

    @Test func aFailedDependencySkipsWhatNeedsItAndIndependentWorkGoesOn() async {
        let transport = InMemoryTransport { _, command in command == "db-1" ? .exit(1, stderr: "disk full") : .exit(0) }
        let db = UnitID(node: "one", component: "db")
        let plan = Self.plan([
            (Self.one, [Self.unit("db", on: Self.one)]),
            (Self.two, [Self.unit("app", on: Self.two, after: [db]), Self.unit("cache", on: Self.two)]),
        ])
        let run = await Engine(transport: transport).apply(plan, control: RunControl())
        #expect(Self.result(run, "db", on: Self.one)?.status == .failed)
        #expect(Self.result(run, "db", on: Self.one)?.message == "run db-1: exited(1): disk full")
        #expect(Self.result(run, "app", on: Self.two)?.status == .skipped)
        #expect(Self.result(run, "app", on: Self.two)?.message == "not started: it needs db on one, which failed")
        #expect(Self.result(run, "cache", on: Self.two)?.status == .changed)
        #expect(!transport.recorded.contains { $0.command == "app-1" })
        #expect(!run.succeeded)
    }

    @Test func aLostNodeSkipsTheRestOfThatNodeOnly() async {
        let transport = InMemoryTransport { node, command in node == "one" && command == "base-2" ? .lost : .exit(0) }
        let events = EventLog()
        let plan = Self.plan([
            (Self.one, [Self.unit("base", on: Self.one, steps: 3), Self.unit("db", on: Self.one)]),
            (Self.two, [Self.unit("base", on: Self.two, steps: 3)]),
        ])
        let run = await Engine(transport: transport, events: events.sink).apply(plan, control: RunControl())
        let base = Self.result(run, "base", on: Self.one)
        #expect(base?.status == .failed)
        #expect(base?.changes == ["run base-1"])
        let db = Self.result(run, "db", on: Self.one)
        #expect(db?.status == .skipped)
        #expect(db?.message == "not started: the connection to one was lost during base on one (did it reboot?)")
        #expect(Self.result(run, "base", on: Self.two)?.status == .changed)
        #expect(transport.recorded.filter { $0.node == "one" }.map(\.command) == ["base-1", "base-2"])
        #expect(events.nodeFailures == ["one"])
    }

    @Test func ctrlCFinishesTheStepUnderWayAndStartsNoOther() async {
        let control = RunControl()
        let transport = InMemoryTransport { _, command in
            if command == "base-1" { control.stop() }
            return .exit(0)
        }
        let plan = Self.plan([(Self.one, [Self.unit("base", on: Self.one, steps: 2), Self.unit("db", on: Self.one)])])
        let run = await Engine(transport: transport).apply(plan, control: control)
        #expect(transport.recorded.map(\.command) == ["base-1"])
        let base = Self.result(run, "base", on: Self.one)
        #expect(base?.status == .interrupted)
        #expect(base?.message == "stopped after 1 of 2 steps; run `lurusctl up` again to finish")
        #expect(Self.result(run, "db", on: Self.one)?.message == "not started: the run was interrupted")
        #expect(run.interrupted)
    }

    /// Two units that wait for each other across nodes (an order the dependency table rules out) would
    /// wait forever; cancelling the run (the second Ctrl-C) frees them.
    @Test(.timeLimit(.minutes(1))) func cancellingFreesUnitsThatWait() async {
        let transport = InMemoryTransport()
        let plan = Self.plan([
            (Self.one, [Self.unit("a", on: Self.one, after: [UnitID(node: "two", component: "b")])]),
            (Self.two, [Self.unit("b", on: Self.two, after: [UnitID(node: "one", component: "a")])]),
        ])
        let engine = Engine(transport: transport)
        let run = Task { await engine.apply(plan, control: RunControl()) }
        try? await Task.sleep(for: .milliseconds(200))
        run.cancel()
        let result = await run.value
        #expect(Self.result(result, "a", on: Self.one)?.message == "not started: the run was interrupted")
        #expect(Self.result(result, "b", on: Self.two)?.message == "not started: the run was interrupted")
        #expect(transport.recorded.isEmpty)
    }

    /// A unit that needs a later unit of its own node cannot wait for it: it is skipped at once, naming
    /// the bug, instead of hanging the node.
    @Test(.timeLimit(.minutes(1))) func aUnitNeedingALaterUnitOnItsNodeIsSkippedNotHung() async {
        let transport = InMemoryTransport()
        let provider = UnitID(node: "one", component: "provider")
        let plan = Self.plan([
            (Self.one, [Self.unit("gateway", on: Self.one, after: [provider]), Self.unit("provider", on: Self.one)])
        ])
        let run = await Engine(transport: transport).apply(plan, control: RunControl())
        let gateway = Self.result(run, "gateway", on: Self.one)
        #expect(gateway?.status == .skipped)
        #expect(gateway?.message?.contains("it needs provider on one, which runs after it on one") == true)
        #expect(Self.result(run, "provider", on: Self.one)?.status == .changed)
    }
}

/// Collects the engine's events for a test.
final class EventLog: Sendable {
    private let events = Mutex<[EngineEvent]>([])

    var sink: EventSink { { [self] event in self.events.withLock { $0.append(event) } } }

    var count: Int { self.events.withLock { $0.count } }

    /// Nodes reported failed, in order.
    var nodeFailures: [String] {
        self.events.withLock { events in
            events.compactMap { event in
                if case .nodeFailed(let node, _) = event { return node }
                return nil
            }
        }
    }
}
