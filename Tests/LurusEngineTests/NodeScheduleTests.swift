import LurusInventory
import Testing

@testable import LurusEngine

/// The schedule alone: the actions it returns for what the engine feeds back, with no I/O at all.
@Suite struct NodeScheduleTests {
    typealias Units = EngineApplyTests

    static func schedule(_ units: [WorkUnit]) -> NodeSchedule {
        NodeSchedule(plan: Planner.plan(node: Units.one, units: units, observed: [:]))
    }

    static func ran(_ action: NodeSchedule.Action) -> String? {
        if case .runStep(_, let step, _, _) = action { return step.title }
        return nil
    }

    @Test func stepsRunInOrderAfterTheDependencies() {
        let other = UnitID(node: "two", component: "db")
        var schedule = Self.schedule([Units.unit("app", on: Units.one, steps: 2, after: [other])])
        #expect(schedule.next(stop: .none) == .awaitDependency(other))
        schedule.dependencyEnded(other, status: .unchanged)
        let first = schedule.next(stop: .none)
        #expect(Self.ran(first) == "run app-1")
        if case .runStep(_, _, let index, let total) = first { #expect((index, total) == (1, 2)) }
        schedule.stepEnded(failure: nil)
        #expect(Self.ran(schedule.next(stop: .none)) == "run app-2")
        schedule.stepEnded(failure: nil)
        guard case .finishUnit(let result) = schedule.next(stop: .none) else {
            Issue.record("the unit should end")
            return
        }
        #expect(result.status == .changed)
        #expect(result.changes == ["run app-1", "run app-2"])
        #expect(schedule.next(stop: .none) == .done)
    }

    @Test func aLostNodeIsReportedOnceAndSkipsTheRest() {
        var schedule = Self.schedule([
            Units.unit("base", on: Units.one), Units.unit("db", on: Units.one), Units.unit("app", on: Units.one),
        ])
        _ = schedule.next(stop: .none)
        schedule.stepEnded(failure: StepFailure(message: "connection lost", nodeLost: true))
        #expect(
            schedule.next(stop: .none)
                == .reportNodeLost("the connection to one was lost during base on one (did it reboot?)")
        )
        var statuses: [UnitStatus] = []
        while case .finishUnit(let result) = schedule.next(stop: .none) { statuses.append(result.status) }
        #expect(statuses == [.failed, .skipped, .skipped])
    }

    @Test func aGracefulStopStillWaitsButACancelledOneDoesNot() {
        let other = UnitID(node: "two", component: "db")
        var graceful = Self.schedule([Units.unit("app", on: Units.one, after: [other])])
        #expect(graceful.next(stop: .graceful) == .awaitDependency(other))
        var cancelled = Self.schedule([Units.unit("app", on: Units.one, after: [other])])
        guard case .finishUnit(let result) = cancelled.next(stop: .cancelled) else {
            Issue.record("a cancelled run should not wait")
            return
        }
        #expect(result.message == "not started: the run was interrupted")
    }

    @Test func anAbandonedWaitEndsTheUnitAsInterrupted() {
        let other = UnitID(node: "two", component: "db")
        var schedule = Self.schedule([Units.unit("app", on: Units.one, after: [other])])
        _ = schedule.next(stop: .none)
        schedule.dependencyEnded(other, status: nil)
        guard case .finishUnit(let result) = schedule.next(stop: .cancelled) else {
            Issue.record("the unit should end")
            return
        }
        #expect(result.status == .skipped)
        #expect(result.message == "not started: the run was interrupted")
    }
}
