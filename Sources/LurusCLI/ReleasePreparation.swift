import ArgumentParser
import Foundation
import LurusComponents
import LurusEngine
import LurusInventory
import LurusProvisioning
import LurusRelease
import LurusRemote

/// What `up` and `deploy` do for the services before the cluster lock: find the services package, build
/// the release (or take it from the build cache), and make the step that ships it. A failing build stops
/// here, before any node is contacted.
enum ReleasePreparation {
    /// The services package: `LURUS_SERVICES`, else `services/` beside the templates folder.
    static func servicesPackage(templates: TemplateLibrary) throws -> URL {
        guard let found = self.findServicesPackage(templates: templates) else {
            Terminal.standardError.write("error: \(self.missingPackage(templates: templates))")
            throw ExitCode(1)
        }
        return found
    }

    /// The services package, or nil when there is none where it is looked for.
    static func findServicesPackage(templates: TemplateLibrary) -> URL? {
        let candidate = self.servicesCandidate(templates: templates)
        return FileManager.default.fileExists(atPath: candidate.appendingPathComponent("Package.swift").path)
            ? candidate : nil
    }

    static func missingPackage(templates: TemplateLibrary) -> String {
        "no services package at \(self.servicesCandidate(templates: templates).path) "
            + "(set LURUS_SERVICES to the repository's services/ folder)"
    }

    static func servicesCandidate(templates: TemplateLibrary) -> URL {
        let environment = ProcessInfo.processInfo.environment
        return environment["LURUS_SERVICES"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: templates.directory).deletingLastPathComponent().appendingPathComponent("services")
    }

    /// The release step for `services` of `provisioning`, or nil when there is nothing to deploy.
    static func step(
        _ provisioning: Provisioning,
        services: [ResolvedService],
        reporter: RunReporter,
        redactor: Redactor,
        json: Bool
    ) async throws -> ReleaseStep? {
        let nodes = provisioning.nodes.filter { node in services.contains { $0.nodes.contains(node) } }
        guard !services.isEmpty, !nodes.isEmpty else { return nil }
        let inventory = provisioning.inventory
        let server = try ServiceSelection.kubernetesServer(provisioning)
        let built = try await self.build(provisioning, services: services, say: reporter.say) {
            Terminal.standardError.write("error: \($0.description)")
            Terminal.standardError.write("nothing was deployed on any node")
        }
        return ReleaseStep(
            deploy: { transport in
                ServiceDeploy(
                    deployer: provisioning.deployer(over: transport),
                    services: services,
                    nodes: nodes,
                    secrets: provisioning.secrets,
                    kubernetes: server.map { provisioning.rollout(of: services, over: transport, server: $0) }
                )
            },
            built: built,
            deployedBy: self.operator(),
            showPlan: { plan in
                reporter.clear()
                DeployReportPrinter.print(plan, json: json, redact: redactor.redacting)
            },
            progress: { node, message in reporter.say(redactor.redact("\(node): \(message)")) }
        )
    }

    /// Builds the release of `services` (or takes it from the build cache), saying what it does; a build
    /// that fails is shown by `failed` and exits 1.
    static func build(
        _ provisioning: Provisioning,
        services: [ResolvedService],
        say: @escaping @Sendable (String) -> Void,
        failed: (ReleaseError) -> Void
    ) async throws -> ServiceBuild.Built {
        let configuration = provisioning.inventory.deploy.build
        let build = ServiceBuild(
            package: try self.servicesPackage(templates: provisioning.templates),
            configuration: configuration,
            cache: BuildCache.standard(),
            executables: services.map(\.definition.executable)
        )
        let start = ContinuousClock.now
        let built: ServiceBuild.Built
        do {
            built = try await build.build(progress: say)
        } catch {
            failed(error)
            throw ExitCode(1)
        }
        let took = RunReporter.format(ContinuousClock.now - start)
        say(
            built.compiled
                ? "built release \(built.id) (\(configuration.rawValue)) in \(took)"
                : "release \(built.id) (\(configuration.rawValue)) is in the build cache"
        )
        return built
    }

    /// `user@host` of whoever runs lurusctl.
    static func `operator`() -> String {
        let user =
            ProcessInfo.processInfo.environment["SUDO_USER"] ?? ProcessInfo.processInfo.environment["USER"] ?? "root"
        return "\(user)@\(ProcessInfo.processInfo.hostName)"
    }
}
