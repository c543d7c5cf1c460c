import ArgumentParser
import Foundation
import LurusInventory
import LurusProvisioning
import LurusRelease

/// `lurusctl build`: the services' release built into the build cache, as `deploy` would build it, with
/// no node contacted: to build ahead of a deploy (the deploy then ships at once), or on a build machine.
struct Build: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build the bundled services' release into the build cache, touching no node.",
        discussion: """
            Builds services/ as `deploy` would (deploy.build in the inventory, the Swift runtime linked \
            statically, stripped), into the build cache (LURUS_BUILD_CACHE, default ~/.cache/lurusctl); a \
            release already there is not built again. Under runtime: k3s it also writes each service's \
            OCI image beside it. Prints the release id and, per service, the binary's SHA-256 (and the \
            image digest). Exits 0 when built, 1 when the build failed (the compiler's errors are shown).
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Build only these services (comma-separated, e.g. gateway).", valueName: "services"))
    var only: String?

    func validate() throws {
        _ = try ServiceSelection.components(self.only)
    }

    func run() async throws {
        let logger = self.global.makeLogger()
        let inventory = try self.global.loadInventory(logger: logger)
        let (provisioning, _) = try await ProvisionOptions.prepare(
            inventory,
            nodes: inventory.nodes,
            only: nil,
            servicesOnly: true,
            resolving: false
        )
        let services = try ServiceSelection.select(self.only, from: provisioning.deployedServices, inventory: inventory)
        guard !services.isEmpty else {
            Terminal.standardError.write("error: \(inventory.path) places no service lurusctl ships; nothing to build")
            throw ExitCode(1)
        }
        let built = try await ReleasePreparation.build(
            provisioning,
            services: services,
            say: { Terminal.standardOutput.write($0) },
            failed: { Terminal.standardError.write("error: \($0.description)") }
        )
        for service in services {
            let binary = built.manifest.binary(service.definition.executable)
            var line = "\(service.name)  \(service.definition.executable)  sha256 \(binary?.sha256 ?? "?")"
            if inventory.runtime == .k3s {
                do {
                    let image = try await ServiceImageArchive.make(
                        for: service,
                        built: built,
                        cache: BuildCache.standard()
                    )
                    line += "  image \(image.image.digest) (\(DeployPlan.megabytes(image.size)))"
                } catch {
                    Terminal.standardError.write("error: writing the image of \(service.name) failed: \(error)")
                    throw ExitCode(1)
                }
            }
            Terminal.standardOutput.write(line)
        }
    }
}
