import ArgumentParser
import Foundation
import Logging
import LurusInventory
import LurusProvisioning
import LurusRelease
import LurusRemote

/// `lurusctl releases`: per service and node, the releases kept, which serves, which a rollback goes to,
/// and when, by whom and from which commit each was deployed. Reads only.
struct Releases: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the releases kept per service and node, and which one serves.",
        discussion: """
            One line per deployment (a release with the configuration it was deployed with), newest first: \
            `serving` marks the one taking traffic, `rollback` the one `lurusctl rollback` goes back to. \
            Reads every node that runs a service, at once (under K3s, the ledger on the K3s server); takes \
            no lock and changes nothing. Exits 1 when \
            a node could not be read (the others are listed).
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var remote: RemoteOptions

    @Flag(help: "Print one JSON object per deployment.")
    var json = false

    func run() async throws {
        let logger = self.global.makeLogger()
        let (inventory, provisioning) = try await ServiceSelection.readOnly(self.global, self.remote, logger: logger)
        let services = provisioning.deployedServices
        if let server = try ServiceSelection.kubernetesServer(provisioning) {
            try await self.listCluster(inventory, provisioning, services: services, server: server, logger: logger)
            return
        }
        let nodes = provisioning.nodes.filter { node in services.contains { $0.nodes.contains(node) } }
        let results = try await OpenSSHSession.with(inventory, options: self.remote.sessionOptions, logger: logger) {
            session in
            let deployer = provisioning.deployer(over: session)
            return await NodeFanOut.results(nodes) { node in
                try await deployer.observe(services.filter { $0.nodes.contains(node) }.map(\.name), on: node)
            }
        }
        var rows: [ReleaseListing.Row] = []
        var failed = false
        for result in results {
            switch result.result {
            case .success(let observation): rows += ReleaseListing.rows(node: result.node.name, observation)
            case .failure(let error):
                failed = true
                Terminal.standardError.write("\(result.node.name): cannot be read: \(error.description)")
            }
        }
        self.write(rows)
        if failed { throw ExitCode(1) }
    }

    /// Under K3s: the ledger on the server, whose Deployments say which entry serves.
    func listCluster(
        _ inventory: Inventory,
        _ provisioning: Provisioning,
        services: [ResolvedService],
        server: Node,
        logger: Logger
    ) async throws {
        let cluster: ClusterObservation
        do {
            cluster = try await OpenSSHSession.with(inventory, options: self.remote.sessionOptions, logger: logger) {
                session in
                try await provisioning.rollout(of: services, over: session, server: server).deployer.observeCluster()
            }
        } catch {
            Terminal.standardError.write("\(server.name): cannot be read: \(error)")
            throw ExitCode(1)
        }
        self.write(ReleaseListing.rows(server: server.name, cluster, services: services.map(\.name)))
    }

    func write(_ rows: [ReleaseListing.Row]) {
        if self.json {
            for row in rows { Terminal.standardOutput.write((try? JSONLine.encode(.event("release", row))) ?? "") }
        } else {
            Terminal.standardOutput.write(ReleaseListing.table(rows))
        }
    }
}
