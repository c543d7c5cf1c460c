import ArgumentParser
import Foundation
import LurusComponents
import LurusEngine
import LurusInventory
import LurusProvisioning
import LurusRelease

/// Options of `plan` and `up`.
struct ProvisionOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Plan or apply one component only (e.g. base); what it needs is assumed in place.",
            valueName: "component"
        )
    )
    var only: String?

    @Flag(help: "Print JSON objects, one per line, ending with a summary object.")
    var json = false

    /// The component `--only` names, or a usage error listing the valid names.
    var component: Component? {
        get throws {
            guard let only else { return nil }
            guard let component = Component(rawValue: only) else {
                throw ValidationError(
                    "--only: no component '\(only)'; components: \(Component.allCases.map(\.name).joined(separator: ", "))"
                )
            }
            return component
        }
    }

    /// What `plan` and `up` start from: the selected nodes, the templates, and (unless `resolving` is
    /// false) every secret the run needs, resolved before any node is contacted, with a redactor for all
    /// of it. A secret that cannot be had stops here, changing nothing; so do missing templates.
    func prepare(
        _ inventory: Inventory,
        remote: RemoteOptions,
        resolving: Bool = true,
        deploying: Bool = false
    ) async throws -> (provisioning: Provisioning, redactor: Redactor) {
        try await Self.prepare(
            inventory,
            nodes: try remote.selectNodes(in: inventory),
            only: try self.component,
            resolving: resolving,
            deploying: deploying
        )
    }

    /// The same for `deploy` (`servicesOnly`: only the units the services need on their nodes).
    static func prepare(
        _ inventory: Inventory,
        nodes: [Node],
        only: Component?,
        servicesOnly: Bool = false,
        resolving: Bool = true,
        deploying: Bool = false
    ) async throws -> (provisioning: Provisioning, redactor: Redactor) {
        var provisioning: Provisioning
        do {
            provisioning = try Provisioning(
                inventory: inventory,
                nodes: nodes,
                only: only,
                templates: try await Self.templates()
            )
        } catch let error as ServiceCatalogError {
            Terminal.standardError.write("error: \(error.description)\n")
            throw ExitCode(1)
        }
        provisioning.servicesOnly = servicesOnly
        provisioning.deploysServices = deploying
        guard resolving else { return (provisioning, Redactor([])) }
        if deploying, let problem = provisioning.unnamedSecret {
            Terminal.standardError.write("error: \(problem.description)\nnothing was done on any node\n")
            throw ExitCode(1)
        }
        do {
            try await provisioning.resolveSecrets(SecretStore(inventory: inventory))
        } catch {
            Terminal.standardError.write("error: \(error.description)\n")
            throw ExitCode(1)
        }
        return (provisioning, await Redactor.forRun(of: inventory, adding: provisioning.secrets.values))
    }

    /// The plan printer for this run's format.
    func printer(_ provisioning: Provisioning, redactor: Redactor) -> PlanPrinter {
        PlanPrinter(
            json: self.json,
            colour: !self.json && isatty(STDOUT_FILENO) == 1,
            unprovisioned: provisioning.unprovisioned,
            redact: redactor.redacting
        )
    }

    /// Loads the templates, or explains where they were looked for.
    static func templates() async throws -> TemplateLibrary {
        do {
            return try await TemplateLibrary.locate()
        } catch {
            Terminal.standardError.write(error.description)
            throw ExitCode(1)
        }
    }
}
