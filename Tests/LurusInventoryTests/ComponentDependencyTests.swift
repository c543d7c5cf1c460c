import LurusInventory
import Testing

/// The one dependency table: `allCases` respects it, it has no cycle, and the check catches both faults.
@Suite struct ComponentDependencyTests {
    @Test func everyComponentIsListedAfterWhatItNeeds() {
        #expect(ComponentDependencies.problems(order: Component.allCases) == [])
    }

    @Test func anOrderThatPutsTheGatewayBeforeProviderIsRefused() {
        // The order `allCases` had before the table became one: the gateway ahead of provider and billing.
        let wrong: [Component] = Component.allCases.filter { $0 != .gateway && $0 != .log } + [.log]
        var order = wrong
        order.insert(.gateway, at: order.firstIndex(of: .provider)!)
        let problems = ComponentDependencies.problems(order: order)
        #expect(
            problems == [
                "gateway is listed before provider, which it needs (the gateway reads its catalog from the provider service)",
                "gateway is listed before billing, which it needs (the gateway checks balances with billing)",
            ]
        )
    }

    @Test func aCycleIsNamed() {
        let table: (Component) -> [ComponentDependency] = { component in
            switch component {
            case .billing: [ComponentDependency(.gateway, .cluster, .whenPlaced, "test")]
            case .gateway: [ComponentDependency(.billing, .cluster, .whenPlaced, "test")]
            default: []
            }
        }
        let problems = ComponentDependencies.problems(order: [.billing, .gateway], dependencies: table)
        #expect(problems.contains("cycle: billing -> gateway -> billing"))
        #expect(problems.filter { $0.hasPrefix("cycle:") }.count == 1)
    }

    @Test func aDependencyLeftOutOfTheOrderIsNamed() {
        #expect(
            ComponentDependencies.problems(order: [.gateway]).contains(
                "gateway needs base, which the order leaves out"
            )
        )
    }

    @Test func theValidatorReadsOnlyRequiredClusterDependencies() {
        #expect(Component.gateway.requirements.map(\.component) == [.nats])
        #expect(Component.billing.requirements.map(\.component) == [.postgres])
        #expect(Component.k3sAgent.requirements.isEmpty)
        // The scheduler sees all of them: the gateway waits for provider and billing where they are placed.
        #expect(
            Component.gateway.dependencies.filter { $0.scope == .cluster }.map(\.component)
                == [.nats, .provider, .billing]
        )
    }
}
