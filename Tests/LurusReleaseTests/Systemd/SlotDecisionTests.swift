import LurusRelease
import Testing

@Suite struct SlotDecisionTests {
    typealias Observed = SlotDecision.Observed

    @Test func aFirstDeployGoesToBlue() {
        #expect(SlotDecision.decide(Observed(), deployment: "a") == .switchTo(.blue, link: true))
    }

    @Test func whatServesAlreadyIsLeftAlone() {
        let observed = Observed(slots: [.blue: "a", .green: "b"], serving: .green, running: [.green])
        #expect(SlotDecision.decide(observed, deployment: "b") == .unchanged(.green))
    }

    @Test func aNewDeploymentStartsBesideTheServingOne() {
        let observed = Observed(slots: [.blue: "a"], serving: .blue, running: [.blue])
        #expect(SlotDecision.decide(observed, deployment: "b") == .switchTo(.green, link: true))
    }

    /// Rolling back right after a deploy: the previous deployment is still in the idle slot.
    @Test func goingBackToWhatTheIdleSlotHoldsNeedsNoLink() {
        let observed = Observed(slots: [.blue: "a", .green: "b"], serving: .green, running: [.green])
        #expect(SlotDecision.decide(observed, deployment: "a") == .switchTo(.blue, link: false))
    }

    /// The serving slot's instance died (the proxy still points at it): start the same deployment fresh
    /// beside it rather than count it as done.
    @Test func aServingSlotThatDoesNotRunIsNotUnchanged() {
        let observed = Observed(slots: [.blue: "a"], serving: .blue, running: [])
        #expect(SlotDecision.decide(observed, deployment: "a") == .switchTo(.green, link: true))
    }
}
