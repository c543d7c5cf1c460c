import ArgumentParser
import LurusEngine
import LurusProvisioning
import LurusRelease
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
            let services = ServicePlanning(provisioning: provisioning)
            let release = try await services.release()
            let (engine, deploy) = try await Interrupts.cancelling {
                try await OpenSSHSession.with(inventory, options: options, logger: logger) { session in
                    let plan = await provisioning.plan(engine: Engine(transport: session, redact: redactor.redacting))
                    return (plan, await services.plan(release, transport: session))
                }
            }
            printer.print(engine)
            if let deploy { DeployReportPrinter.print(deploy, json: self.provision.json, redact: redactor.redacting) }
            if !engine.failures.isEmpty || !(deploy?.unreachable.isEmpty ?? true) { throw ExitCode(1) }
            return
        }
        printer.print(plan)
        if !plan.failures.isEmpty { throw ExitCode(1) }
    }
}

/// The services' part of `plan`: the release as it would be built (its id from the sources, nothing
/// compiled) and what a deploy of it would do on each node that runs a service.
struct ServicePlanning: Sendable {
    var provisioning: Provisioning

    var services: [ResolvedService] { self.provisioning.hostedServices }

    func release() async throws -> ServiceBuild.Built? {
        if self.provisioning.inventory.runtime == .k3s, !self.provisioning.deployedServices.isEmpty {
            // The deployments are named by their manifests, Secrets included: no plan without the secrets.
            Terminal.standardError.write(
                "note: under runtime: k3s the services' part is shown by `lurusctl deploy`, which reads their "
                    + "secrets and asks before changing anything"
            )
            return nil
        }
        guard self.services.contains(where: { $0.nodes.contains(where: self.provisioning.nodes.contains) }) else {
            return nil
        }
        // Without the package (an installed lurusctl run away from the repository) the plan goes on.
        guard let package = ReleasePreparation.findServicesPackage(templates: self.provisioning.templates) else {
            let missing = ReleasePreparation.missingPackage(templates: self.provisioning.templates)
            Terminal.standardError.write("note: the services' part of the plan is left out: \(missing)")
            return nil
        }
        let build = ServiceBuild(
            package: package,
            configuration: self.provisioning.inventory.deploy.build,
            cache: BuildCache.standard(),
            executables: self.services.map(\.definition.executable)
        )
        do {
            return try await build.lookup()
        } catch {
            Terminal.standardError.write("error: \(error.description)")
            throw ExitCode(1)
        }
    }

    func plan(_ release: ServiceBuild.Built?, transport: any NodeTransport) async -> DeployPlan? {
        guard let release else { return nil }
        let deploy = ServiceDeploy(
            deployer: self.provisioning.deployer(over: transport),
            services: self.services,
            nodes: self.provisioning.nodes,
            secrets: self.provisioning.secrets
        )
        return await deploy.plan(release, deployedBy: ReleasePreparation.operator())
    }
}
