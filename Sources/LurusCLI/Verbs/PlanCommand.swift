import ArgumentParser
import Foundation
import LurusComponents
import LurusEngine
import LurusInventory
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
        var provisioning = Provisioning(
            inventory: inventory,
            nodes: try self.remote.selectNodes(in: inventory),
            only: try self.provision.component,
            templates: try await Templates.load()
        )
        let options = self.remote.sessionOptions
        if let facts = self.facts {
            try self.offline(provisioning, facts: facts)
            return
        }
        try await provisioning.resolveSecrets(inventory: inventory)
        let secrets = await SecretsAccess.redactor(for: inventory, adding: provisioning.secrets.values)
        let prepared = provisioning
        let plan = try await Interrupts.cancelling {
            try await OpenSSHSession.with(inventory, options: options, logger: logger) { session in
                await prepared.plan(engine: Engine(session: session, redact: secrets.redact, logger: logger))
            }
        }
        self.print(plan, unprovisioned: prepared.unprovisioned, redact: secrets.redact)
        if !plan.failures.isEmpty { throw ExitCode(1) }
    }
}

extension PlanCommand {
    /// The plan from recorded facts: nothing contacted, no secret read or generated.
    func offline(_ provisioning: Provisioning, facts path: String) throws {
        let plan: LurusEngine.Plan
        do {
            plan = try RecordedFacts.load(path).plan(provisioning)
        } catch {
            Terminal.standardError.write(error.description)
            throw ExitCode(1)
        }
        self.print(plan, unprovisioned: provisioning.unprovisioned, redact: { $0 })
        if !plan.failures.isEmpty { throw ExitCode(1) }
    }

    func print(_ plan: LurusEngine.Plan, unprovisioned: [Component], redact: (String) -> String) {
        let report = PlanReport(
            plan: plan,
            unprovisioned: unprovisioned,
            style: Style(enabled: !self.provision.json && isatty(STDOUT_FILENO) == 1)
        )
        if self.provision.json {
            for line in (try? report.jsonLines()) ?? [] { Terminal.standardOutput.write(redact(line)) }
        } else {
            Terminal.standardOutput.write(redact(report.text))
        }
    }
}

/// Loads the templates, or explains where they were looked for.
enum Templates {
    static func load() async throws -> TemplateLibrary {
        do {
            return try await TemplateLibrary.locate()
        } catch {
            Terminal.standardError.write(error.description)
            throw ExitCode(1)
        }
    }
}
