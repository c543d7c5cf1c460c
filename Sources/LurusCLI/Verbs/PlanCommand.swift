import ArgumentParser
import LurusEngine
import LurusProvisioning
import LurusRemote

/// `lurusctl plan`: what `up` would change on each node, changing nothing.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what `up` would change on each node (with diffs), changing nothing.",
        discussion: """
            Reads each node's facts and the state of everything lurusctl manages there (two round trips per \
            node, all nodes at once) and prints per node: + create, ~ change (with a unified diff for files), \
            - remove, > run a command, ↻ restart or reload a service. Secret contents are never shown. \
            Exits 0 when the plan was made (whether or not changes are pending), 1 when a node could not be \
            planned.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var remote: RemoteOptions
    @OptionGroup var provision: ProvisionOptions

    @Option(
        help: ArgumentHelp(
            "Plan from facts recorded with `lurusctl facts --json > FILE`, for the nodes as fresh machines, "
                + "without connecting.",
            valueName: "file"
        )
    )
    var facts: String?

    func validate() throws {
        _ = try self.provision.component
    }

    func run() async throws {
        let logger = self.global.makeLogger()
        let inventory = try self.global.loadInventory(logger: logger)
        // From recorded facts nothing is contacted and no secret is read or generated.
        let (provisioning, redactor) = try await self.provision.prepare(
            inventory,
            remote: self.remote,
            resolving: self.facts == nil
        )
        let printer = self.provision.printer(provisioning, redactor: redactor)
        let plan: LurusEngine.Plan
        if let facts = self.facts {
            do {
                plan = try RecordedFacts.load(facts).plan(provisioning)
            } catch {
                Terminal.standardError.write(error.description)
                throw ExitCode(1)
            }
        } else {
            let options = self.remote.sessionOptions
            plan = try await Interrupts.cancelling {
                try await OpenSSHSession.with(inventory, options: options, logger: logger) { session in
                    await provisioning.plan(engine: Engine(transport: session, redact: redactor.redacting))
                }
            }
        }
        printer.print(plan)
        if !plan.failures.isEmpty { throw ExitCode(1) }
    }
}
