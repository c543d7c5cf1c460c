import Crypto
import Foundation
import LurusEngine
import LurusInventory
import LurusRemote

/// One deploy of built services to their nodes. Under the systemd runtime: every node at once, the
/// services of a node one after another (in catalog order), each switched behind its health gate. Under
/// K3s (`kubernetes`): images to every node, then the rollouts on the server (`K3sRollout`). A node that
/// cannot be reached is named and the others go on.
public struct ServiceDeploy: Sendable {
    public var deployer: SystemdDeployer
    /// The K3s runtime's rollout; nil under systemd.
    public var kubernetes: K3sRollout?
    /// The services to deploy, resolved (`--only` applied).
    public var services: [ResolvedService]
    /// The nodes to deploy to (`--on` applied).
    public var nodes: [Node]
    /// The secrets the services read: their digests are part of each deployment's name.
    public var secrets: [String: Secret]

    public init(
        deployer: SystemdDeployer,
        services: [ResolvedService],
        nodes: [Node],
        secrets: [String: Secret],
        kubernetes: K3sRollout? = nil
    ) {
        self.deployer = deployer
        self.kubernetes = kubernetes
        self.services = services
        self.nodes = nodes
        self.secrets = secrets
    }

    /// The K3s rollout over this deploy's nodes (`nodes` may have been narrowed since it was made).
    var rollout: K3sRollout? {
        guard var kubernetes = self.kubernetes else { return nil }
        kubernetes.nodes = self.nodes
        return kubernetes
    }

    /// The deployment of `service` for `release`: its environment and the digests of its secrets.
    public func deployment(of service: ResolvedService, release: ReleaseID) throws(ServiceCatalogError) -> Deployment {
        let digests = service.secretFiles.map { file in
            "\(file.path) " + SHA256Digest(SHA256.hash(data: self.secrets[file.secret]?.bytes ?? [])).hex
        }
        return Deployment(
            release: release,
            environment: try Deployment.environmentFile(of: service, release: release, secrets: self.secrets),
            secretDigests: digests
        )
    }

    /// The nodes of this deploy that run `service`.
    func nodes(of service: ResolvedService) -> [Node] {
        self.nodes.filter(service.nodes.contains)
    }

    /// What deploying `built` would do: each node read once (one command), each service decided.
    public func plan(_ built: ServiceBuild.Built, deployedBy: String) async -> DeployPlan {
        if let kubernetes = self.rollout {
            var plan = DeployPlan(release: built.id)
            plan.rollout = await kubernetes.plan(built, deployedBy: deployedBy)
            return plan
        }
        let now = Date().timeIntervalSince1970
        var unready: [NodeFailure] = []
        let targets = self.services.compactMap { service -> SystemdDeployer.Target? in
            let deployment: Deployment
            do throws(ServiceCatalogError) {
                deployment = try self.deployment(of: service, release: built.id)
            } catch {
                // Its nodes are named with why; the other services go on.
                unready += self.nodes(of: service).map { NodeFailure(node: $0.name, message: error.description) }
                return nil
            }
            return SystemdDeployer.Target(
                service: service,
                deployment: deployment,
                manifest: built.manifest,
                record: DeploymentRecord(
                    deployment: deployment.name,
                    release: built.id.value,
                    service: service.name,
                    deployedAt: now,
                    deployedBy: deployedBy,
                    commit: built.commit,
                    configuration: built.manifest.configuration
                )
            )
        }
        let involved = self.nodes.filter { node in targets.contains { $0.service.nodes.contains(node) } }
        let deployer = self.deployer
        let results = await NodeFanOut.results(involved) { node in
            let here = targets.filter { $0.service.nodes.contains(node) }
            let observation = try await deployer.observe(here.map(\.service.name), on: node)
            return here.map { target in
                let observed = observation[target.service.name]
                return DeployPlan.Entry(
                    node: node,
                    target: target,
                    observed: observed,
                    decision: SlotDecision.decide(observed.slots, deployment: target.deployment.name),
                    ships: !observed.releases.contains(target.deployment.release)
                )
            }
        }
        var plan = DeployPlan(release: built.id)
        plan.unreachable = unready
        for result in results {
            switch result.result {
            case .success(let entries): plan.entries += entries
            case .failure(let error):
                plan.unreachable.append(NodeFailure(node: result.node.name, message: error.description))
            }
        }
        return plan
    }

    /// Carries out `plan`: every node at once, its services one after another. `progress` hears (node,
    /// what is being done). Once `stopping` says so (Ctrl-C), no further service is started; the one
    /// switching finishes (a cancellation, the second Ctrl-C, stops it too).
    public func apply(
        _ plan: DeployPlan,
        stopping: @escaping @Sendable () -> Bool = { false },
        progress: @escaping @Sendable (String, String) -> Void
    ) async -> DeployReport {
        if let kubernetes = self.rollout, let rollout = plan.rollout {
            var report = await kubernetes.apply(rollout, stopping: stopping, progress: progress)
            report.unreachable += plan.unreachable
            return report
        }
        let deployer = self.deployer
        let nodes = plan.nodes
        let results = await NodeFanOut.results(nodes) { node in
            var outcomes: [SystemdDeployer.Outcome] = []
            for entry in plan.entries where entry.node == node {
                guard !Task.isCancelled, !stopping() else { break }
                outcomes.append(
                    await deployer.deploy(entry.target, on: node, observed: entry.observed) { message in
                        progress(node.name, "\(entry.target.service.name): \(message)")
                    }
                )
            }
            return outcomes
        }
        var report = Self.report(results)
        report.unreachable += plan.unreachable
        return report
    }

    /// Where a rollback of `service` goes on each node of this deploy that runs it: back to the deployment
    /// it served before, or to the newest one of release `to`.
    public func rollbackPlan(_ service: ResolvedService, to release: ReleaseID?) async -> RollbackPlan {
        if let kubernetes = self.rollout { return await kubernetes.rollbackPlan(service, to: release) }
        let deployer = self.deployer
        let results = await NodeFanOut.results(self.nodes(of: service)) { node in
            let observed = try await deployer.observe([service.name], on: node)[service.name]
            return RollbackPlan.Entry(
                node: node,
                service: service,
                observed: observed,
                choice: RollbackChoice.target(observed, release: release)
            )
        }
        var plan = RollbackPlan()
        for result in results {
            switch result.result {
            case .success(let entry): plan.entries.append(entry)
            case .failure(let error):
                plan.unreachable.append(NodeFailure(node: result.node.name, message: error.description))
            }
        }
        return plan
    }

    /// Carries out `plan`: every node at once; a node with nothing to go back to is a failure naming why.
    public func rollback(_ plan: RollbackPlan) async -> DeployReport {
        if let kubernetes = self.rollout, plan.cluster != nil { return await kubernetes.rollback(plan) }
        let deployer = self.deployer
        let results = await NodeFanOut.results(plan.nodes) { node in
            var outcomes: [SystemdDeployer.Outcome] = []
            for entry in plan.entries where entry.node == node {
                switch entry.choice {
                case .deployment(let target):
                    outcomes.append(
                        await deployer.switchBack(entry.service, to: target, on: node, observed: entry.observed)
                    )
                case .nothing(let why):
                    outcomes.append(
                        SystemdDeployer.Outcome(
                            node: node.name,
                            service: entry.service.name,
                            deployment: entry.observed.serving ?? "",
                            result: .failed(
                                ReleaseError("\(entry.service.name) on \(node.name): \(why)", hint: RollbackChoice.hint)
                            ),
                            shippedBytes: 0,
                            removed: []
                        )
                    )
                }
            }
            return outcomes
        }
        var report = Self.report(results)
        report.unreachable += plan.unreachable
        return report
    }

    static func report(_ results: [NodeResult<[SystemdDeployer.Outcome]>]) -> DeployReport {
        var report = DeployReport()
        for result in results {
            switch result.result {
            case .success(let outcomes): report.outcomes += outcomes
            case .failure(let error):
                report.unreachable.append(NodeFailure(node: result.node.name, message: error.description))
            }
        }
        return report
    }
}
