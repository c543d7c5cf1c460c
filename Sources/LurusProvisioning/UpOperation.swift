import LurusEngine
import LurusInventory
import LurusRemote

/// How `up` talks to the person running it: the command line shows and asks, a test answers.
public struct UpInteraction: Sendable {
    /// Progress of planning and applying.
    public var events: EventSink
    /// Shows the plan before it is applied.
    public var showPlan: @Sendable (Plan) -> Void
    /// Asks a yes/no question; called only when the operation was made with `ask`.
    public var confirm: @Sendable (String) async -> Bool
    /// A message for the person (a note, a warning).
    public var say: @Sendable (String) -> Void

    public init(
        events: @escaping EventSink,
        showPlan: @escaping @Sendable (Plan) -> Void,
        confirm: @escaping @Sendable (String) async -> Bool,
        say: @escaping @Sendable (String) -> Void
    ) {
        self.events = events
        self.showPlan = showPlan
        self.confirm = confirm
        self.say = say
    }
}

/// One `up`: under the cluster operation (lock, audit, unlock), plan, confirm, apply, and plan and apply
/// again what waited for the mesh.
public struct UpOperation: Sendable {
    public var provisioning: Provisioning
    public var redact: @Sendable (String) -> String
    /// Ask before applying (on a terminal, without --yes).
    public var ask: Bool
    public var lockWait: Duration?

    public init(
        provisioning: Provisioning,
        redact: @escaping @Sendable (String) -> String,
        ask: Bool,
        lockWait: Duration?
    ) {
        self.provisioning = provisioning
        self.redact = redact
        self.ask = ask
        self.lockWait = lockWait
    }

    /// The run's result; nil when the operator declined. Throws `LockError` when the lock cannot be
    /// taken, with nothing planned or applied on any node.
    public func perform(
        transport: any NodeTransport,
        control: RunControl,
        interaction: UpInteraction
    ) async throws -> RunResult? {
        let operation = ClusterOperation(
            verb: "up",
            inventory: self.provisioning.inventory,
            transport: transport,
            lockWait: self.lockWait,
            warn: interaction.say
        )
        let provisioning = self.provisioning
        let redact = self.redact
        return try await operation.run(
            events: interaction.events,
            prepare: { events in
                await provisioning.plan(engine: Engine(transport: transport, events: events, redact: redact))
            },
            work: { plan, _ in
                let engine = Engine(transport: transport, events: interaction.events, redact: redact)
                let result = await self.apply(plan, engine: engine, control: control, interaction: interaction)
                return ClusterOperation.Outcome(result, record: result.map(OperationRecord.init))
            }
        )
    }

    /// Shows, confirms and applies `plan`, then the second pass; nil when the operator declined.
    private func apply(
        _ plan: Plan,
        engine: Engine,
        control: RunControl,
        interaction: UpInteraction
    ) async -> RunResult? {
        interaction.showPlan(plan)
        if plan.changeCount > 0, self.ask {
            let question = "Apply \(plan.changeCount) changes on \(plan.nodesWithChanges) nodes?"
            guard await interaction.confirm(question) else {
                interaction.say("nothing applied")
                return nil
            }
        }
        var applied = await engine.apply(plan, control: control)
        if plan.nodes.contains(where: { $0.units.contains { $0.unit.deferred } }), applied.succeeded {
            // Units that waited for a mesh address (Tailscale just came up): plan and apply them now.
            interaction.say("planning what waited for the mesh")
            let second = await self.provisioning.plan(engine: engine)
            interaction.showPlan(second)
            var confirmed = second.changeCount == 0 || !self.ask
            if !confirmed {
                confirmed = await interaction.confirm(
                    "Apply \(second.changeCount) more changes on \(second.nodesWithChanges) nodes?"
                )
            }
            if confirmed {
                applied = applied.merging(await engine.apply(second, control: control))
            } else {
                interaction.say("the second pass was not applied; run `lurusctl up` again to finish")
            }
        }
        let inventory = self.provisioning.inventory
        if let note = await KubeconfigFetch.fetch(after: applied, inventory: inventory, transport: engine.transport) {
            interaction.say(note)
        }
        return applied
    }
}
