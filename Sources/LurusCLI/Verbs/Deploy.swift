import ArgumentParser
import Foundation
import Logging
import LurusEngine
import LurusInventory
import LurusProvisioning
import LurusRelease

/// `lurusctl deploy`: build the services, plan which node gets which release, ship, switch behind the
/// health gate, under the cluster lock, with an audit record.
struct Deploy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build the bundled services and roll them out with no request dropped.",
        discussion: """
            Builds services/ (deploy.build in the inventory; a release already in the build cache is not \
            built again), takes the cluster lock, brings the services' host setup up to date (as `up` \
            would), then shows which node gets which release and asks on a terminal (--yes skips it). \
            Under systemd each node gets the release in its idle slot; it must answer its health check \
            within deploy.health_timeout, then traffic moves to it and the old one drains. A release that \
            does not answer is stopped and the serving one goes on; the error shows its last answer, status \
            and log. Under K3s each node that may run a service gets its image (streamed into containerd, \
            pinned, digest checked), the manifests are applied on the K3s server and the rollout is watched: \
            a pod that cannot start (image, crash loop, OOM, unschedulable) fails it at once and the \
            deployment that served is applied again. A release every node already serves is not shipped \
            or restarted. Exits 0 when everything succeeded, 1 on any failure, 130 when interrupted.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var remote: RemoteOptions

    @Option(
        help: ArgumentHelp("Deploy only these services (comma-separated, e.g. gateway).", valueName: "services")
    )
    var only: String?

    @Flag(help: "Deploy without asking, also on a terminal.")
    var yes = false

    @Flag(help: "Print JSON objects, one per line, ending with summary objects.")
    var json = false

    @OptionGroup var lockWait: LockWaitOption

    func validate() throws {
        _ = try ServiceSelection.components(self.only)
    }

    func run() async throws {
        let logger = self.global.makeLogger()
        let inventory = try self.global.loadInventory(logger: logger)
        var (selected, redactorValue) = try await ProvisionOptions.prepare(
            inventory,
            nodes: try self.remote.selectNodes(in: inventory),
            only: nil,
            servicesOnly: true,
            deploying: true
        )
        let services = try ServiceSelection.select(self.only, from: selected.deployedServices, inventory: inventory)
        // Only the nodes that run a deployed service are read and set up.
        selected.nodes = selected.nodes.filter { node in services.contains { $0.nodes.contains(node) } }
        let provisioning = selected
        let redactor = redactorValue
        guard !provisioning.nodes.isEmpty else {
            Terminal.standardError.write(
                "error: no selected node runs \(services.isEmpty ? "a service" : services.map(\.name).joined(separator: ", ")) "
                    + "(the inventory places the services on: \(Set(provisioning.deployedServices.flatMap(\.nodes).map(\.name)).sorted().joined(separator: ", ")))"
            )
            throw ExitCode(1)
        }
        let json = self.json
        try await ProvisionRun(
            verb: "deploy",
            inventory: inventory,
            provisioning: provisioning,
            redactor: redactor,
            printer: PlanPrinter(
                json: json,
                colour: !json && isatty(STDOUT_FILENO) == 1,
                unprovisioned: [],
                redact: redactor.redacting
            ),
            json: json,
            yes: self.yes,
            lockWait: self.lockWait.duration,
            sessionOptions: self.remote.sessionOptions,
            logger: logger,
            release: { reporter in
                try await ReleasePreparation.step(
                    provisioning,
                    services: services,
                    reporter: reporter,
                    redactor: redactor,
                    json: json
                )
            }
        ).run()
    }
}

/// Which services a `deploy`, `rollback` or `releases` is about.
enum ServiceSelection {
    /// The components `--only` names, each a service lurusctl ships; nil for all.
    static func components(_ list: String?) throws -> [Component]? {
        guard let list else { return nil }
        let shippable = ServiceCatalog.definitions.map(\.name)
        return try list.split(separator: ",").map { name in
            let name = name.trimmingCharacters(in: .whitespaces)
            guard let component = Component(rawValue: name), ServiceCatalog.definition(of: component) != nil else {
                throw ValidationError(
                    "'\(name)' is not a service lurusctl ships; services: \(shippable.joined(separator: ", "))"
                )
            }
            return component
        }
    }

    /// The placed services `list` names (all when nil); a named one placed nowhere is an error.
    static func select(
        _ list: String?,
        from placed: [ResolvedService],
        inventory: Inventory
    ) throws -> [ResolvedService] {
        guard let wanted = try self.components(list) else { return placed }
        for component in wanted where !placed.contains(where: { $0.component == component }) {
            Terminal.standardError.write(
                "error: \(component.name) is placed on no node in \(inventory.path) (add it to a node's components)"
            )
            throw ExitCode(1)
        }
        return placed.filter { wanted.contains($0.component) }
    }

    /// What `rollback` and `releases` start from: the inventory and its services resolved on the selected
    /// nodes, with no secret read (they only read the nodes, switch links or re-apply kept manifests).
    static func readOnly(
        _ global: GlobalOptions,
        _ remote: RemoteOptions,
        logger: Logger
    ) async throws -> (Inventory, Provisioning) {
        let inventory = try global.loadInventory(logger: logger)
        let (provisioning, _) = try await ProvisionOptions.prepare(
            inventory,
            nodes: try remote.selectNodes(in: inventory),
            only: nil,
            servicesOnly: true,
            resolving: false
        )
        _ = try self.kubernetesServer(provisioning)
        return (inventory, provisioning)
    }

    /// Under the K3s runtime the node kubectl runs on (nil under systemd); an inventory with none is an error.
    static func kubernetesServer(_ provisioning: Provisioning) throws -> Node? {
        guard provisioning.inventory.runtime == .k3s else { return nil }
        do {
            return try provisioning.kubernetesServer()
        } catch {
            Terminal.standardError.write("error: \(error.description); nothing was done")
            throw ExitCode(1)
        }
    }
}
