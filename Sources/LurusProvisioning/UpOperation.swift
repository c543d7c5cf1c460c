import LurusEngine
import LurusInventory
import LurusRelease
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

/// The services' part of an `up` or a `deploy`: the release built, and how to ship it.
public struct ReleaseStep: Sendable {
    /// The deploy over the operation's transport.
    public var deploy: @Sendable (any NodeTransport) -> ServiceDeploy
    public var built: ServiceBuild.Built
    /// `user@host` of the control machine, for each deployment's record.
    public var deployedBy: String
    /// Shows the deploy's plan before it is carried out.
    public var showPlan: @Sendable (DeployPlan) -> Void
    /// Progress of the switch: (node, what).
    public var progress: @Sendable (String, String) -> Void

    public init(
        deploy: @escaping @Sendable (any NodeTransport) -> ServiceDeploy,
        built: ServiceBuild.Built,
        deployedBy: String,
        showPlan: @escaping @Sendable (DeployPlan) -> Void,
        progress: @escaping @Sendable (String, String) -> Void
    ) {
        self.deploy = deploy
        self.built = built
        self.deployedBy = deployedBy
        self.showPlan = showPlan
        self.progress = progress
    }
}

/// What an `up` or a `deploy` did: the engine's run, and the services' switch when there was one.
public struct UpOutcome: Sendable {
    public var run: RunResult
    /// Nil when no services were deployed (none placed, or the provisioning before failed).
    public var deploy: DeployReport?

    public var succeeded: Bool { self.run.succeeded && (self.deploy?.succeeded ?? true) }
}

/// One `up` (or `deploy`): under the cluster operation (lock, audit, unlock), plan, confirm, apply, and
/// plan and apply again what waited for the mesh; then, with a release step, deploy the services.
public struct UpOperation: Sendable {
    public var provisioning: Provisioning
    public var redact: @Sendable (String) -> String
    /// Ask before applying (on a terminal, without --yes).
    public var ask: Bool
    public var lockWait: Duration?
    /// `up` or `deploy`, for the lock and the audit log.
    public var verb: String
    public var release: ReleaseStep?

    public init(
        provisioning: Provisioning,
        redact: @escaping @Sendable (String) -> String,
        ask: Bool,
        lockWait: Duration?,
        verb: String = "up",
        release: ReleaseStep? = nil
    ) {
        self.provisioning = provisioning
        self.redact = redact
        self.ask = ask
        self.lockWait = lockWait
        self.verb = verb
        self.release = release
    }

    /// The run's result; nil when the operator declined. Throws `LockError` when the lock cannot be
    /// taken, with nothing planned or applied on any node.
    public func perform(
        transport: any NodeTransport,
        control: RunControl,
        interaction: UpInteraction
    ) async throws -> UpOutcome? {
        let operation = ClusterOperation(
            verb: self.verb,
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
                guard let result = await self.apply(plan, engine: engine, control: control, interaction: interaction)
                else { return ClusterOperation.Outcome(UpOutcome?.none, record: nil) }
                var outcome = UpOutcome(run: result, deploy: nil)
                if let release = self.release {
                    outcome.deploy = await self.deploy(
                        release.deploy(transport),
                        release,
                        after: result,
                        control: control,
                        interaction: interaction
                    )
                }
                var record = OperationRecord(result)
                if let report = outcome.deploy {
                    record = record.merging(report.record(interrupted: result.interrupted || control.isStopped))
                }
                return ClusterOperation.Outcome(UpOutcome?.some(outcome), record: record)
            }
        )
    }

    /// Plans, shows, confirms and carries out the services' deploy; nil when it was not done.
    private func deploy(
        _ deploy: ServiceDeploy,
        _ release: ReleaseStep,
        after run: RunResult,
        control: RunControl,
        interaction: UpInteraction
    ) async -> DeployReport? {
        guard !run.interrupted, !control.isStopped else { return nil }
        // A node whose setup failed (or that could not be reached) gets no release; the others do.
        let ready = Set(
            run.nodes.filter { !$0.failed && $0.units.allSatisfy(\.status.succeeded) }.map(\.node)
        )
        var deploy = deploy
        let skipped = deploy.nodes.filter { !ready.contains($0.name) }
        deploy.nodes.removeAll { !ready.contains($0.name) }
        for node in skipped {
            interaction.say("\(node.name): the services were not deployed there: its setup did not finish")
        }
        var plan = await deploy.plan(release.built, deployedBy: release.deployedBy)
        plan.unreachable += skipped.map {
            NodeFailure(node: $0.name, message: "its setup did not finish; fix it and run again")
        }
        release.showPlan(plan)
        if plan.changeCount > 0, self.ask {
            let nodes = Set(plan.entries.filter(\.changes).map(\.node.name)).count
            guard
                await interaction.confirm(
                    "Deploy release \(plan.release): \(plan.changeCount) switches on \(nodes) nodes?"
                )
            else {
                interaction.say("nothing deployed")
                return nil
            }
        }
        return await deploy.apply(plan, stopping: { control.isStopped }, progress: release.progress)
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
