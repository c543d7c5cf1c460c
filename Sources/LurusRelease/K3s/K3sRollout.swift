import Foundation
import LurusEngine
import LurusInventory
import LurusRemote

/// One deploy of built services under the K3s runtime: images streamed to every node that may run them
/// (in parallel), then per service (in parallel) its manifests applied on the server and its rollout
/// watched to a verdict; a rollout that fails is undone by re-applying the deployment that served before.
public struct K3sRollout: Sendable {
    public typealias Outcome = SystemdDeployer.Outcome

    public var deployer: K3sDeployer
    public var manifests: KubernetesManifests
    public var inventory: Inventory
    /// Every service the inventory places (the network policies name their peers).
    public var placed: [ResolvedService]
    /// The services to deploy (`--only` applied).
    public var services: [ResolvedService]
    /// The nodes images may go to (`--on` applied).
    public var nodes: [Node]
    public var secrets: [String: Secret]

    public init(
        deployer: K3sDeployer,
        manifests: KubernetesManifests,
        inventory: Inventory,
        placed: [ResolvedService],
        services: [ResolvedService],
        nodes: [Node],
        secrets: [String: Secret]
    ) {
        self.deployer = deployer
        self.manifests = manifests
        self.inventory = inventory
        self.placed = placed
        self.services = services
        self.nodes = nodes
        self.secrets = secrets
    }

    /// How long a service's rollout may take: the health deadline for each pod it replaces.
    func deadline(of service: ResolvedService) -> Duration {
        .milliseconds(self.deployer.settings.healthTimeout.milliseconds * Int64(max(1, service.replicas)))
    }

    /// What deploying `built` would do: the images written (into the build cache, once per release), the
    /// server read once, each node's containerd read once.
    public func plan(_ built: ServiceBuild.Built, deployedBy: String) async -> K3sRolloutPlan {
        var archives: [ServiceImageArchive] = []
        do {
            for service in self.services {
                archives.append(
                    try await ServiceImageArchive.make(for: service, built: built, cache: self.deployer.cache)
                )
            }
        } catch {
            var plan = K3sRolloutPlan(server: self.deployer.server, shared: [])
            plan.unreachable.append(
                NodeFailure(node: "control machine", message: "writing the images failed: \(error)")
            )
            return plan
        }
        return await self.plan(
            archives: archives,
            release: built.id,
            commit: built.commit,
            configuration: built.manifest.configuration,
            deployedBy: deployedBy
        )
    }

    /// The plan for images already written (`archives`, one per service, in order).
    func plan(
        archives: [ServiceImageArchive],
        release: ReleaseID,
        commit: String?,
        configuration: String,
        deployedBy: String
    ) async -> K3sRolloutPlan {
        let server = self.deployer.server
        var plan = K3sRolloutPlan(server: server, shared: [])
        do {
            // The network policies name every placed service as a peer; only the selected ones are rendered.
            let parts = try self.manifests.parts(
                self.services,
                among: self.placed,
                inventory: self.inventory,
                images: archives.map(\.image),
                secrets: self.secrets
            )
            plan.shared = parts.shared
            let observation = try await self.deployer.observeCluster()
            plan.observation = observation
            let now = Date().timeIntervalSince1970
            for (service, archive) in zip(self.services, archives) {
                let documents = parts.services.first { $0.service == service.name }?.documents ?? []
                let name = K3sRolloutPlan.deploymentName(release: release, documents: documents)
                let record = DeploymentRecord(
                    deployment: name,
                    release: release.value,
                    service: service.name,
                    deployedAt: now,
                    deployedBy: deployedBy,
                    commit: commit,
                    configuration: configuration
                )
                plan.services.append(
                    K3sRolloutPlan.Service(
                        service: service,
                        archive: archive,
                        documents: documents,
                        entry: LedgerEntry(
                            record: record,
                            image: archive.image.reference,
                            objects: K3sRolloutPlan.objects(documents),
                            manifests: documents
                        ),
                        serving: observation.workloads[service.name]?.deployment,
                        changes: K3sRolloutPlan.changes(
                            service.name,
                            deployment: name,
                            image: archive.image.reference,
                            observed: observation
                        )
                    )
                )
            }
        } catch {
            plan.unreachable.append(NodeFailure(node: server.name, message: "\(error)"))
            return plan
        }
        let imageNodes = self.nodes.filter { node in self.services.contains { $0.nodes.contains(node) } }
        let deployer = self.deployer
        let results = await NodeFanOut.results(imageNodes) { node in try await deployer.observeImages(on: node) }
        for result in results {
            switch result.result {
            case .success(let held):
                plan.held[result.node.name] = held
                for service in plan.services where service.service.nodes.contains(result.node) {
                    plan.images.append(
                        K3sRolloutPlan.Image(
                            node: result.node,
                            service: service.service.name,
                            state: held.state(of: service.archive.image)
                        )
                    )
                }
            case .failure(let error):
                plan.unreachable.append(NodeFailure(node: result.node.name, message: error.description))
            }
        }
        return plan
    }

    /// Carries out `plan`. A service rolls out only when its image is verified on every node of the plan
    /// that may run it; once `stopping` says so (Ctrl-C), no further rollout starts.
    public func apply(
        _ plan: K3sRolloutPlan,
        stopping: @escaping @Sendable () -> Bool = { false },
        progress: @escaping @Sendable (String, String) -> Void
    ) async -> DeployReport {
        var report = DeployReport(unreachable: plan.unreachable)
        let deployer = self.deployer
        // 1. Images, every node at once.
        let work = plan.images.filter { $0.state != .pinned }
        let nodes = work.reduce(into: [Node]()) { if !$0.contains($1.node) { $0.append($1.node) } }
        let imports = await NodeFanOut.results(nodes) { node in
            var outcomes: [Outcome] = []
            for image in work where image.node == node {
                guard let service = plan.services.first(where: { $0.service.name == image.service }) else { continue }
                var outcome = Outcome(
                    node: node.name,
                    service: image.service,
                    deployment: service.entry.deployment,
                    result: .imported,
                    shippedBytes: 0,
                    removed: [],
                    digest: service.archive.image.digest
                )
                do {
                    if image.state == .missing {
                        progress(
                            node.name,
                            "\(image.service): importing image (\(DeployPlan.megabytes(service.archive.size)))"
                        )
                        try await deployer.importImage(service.archive, on: node)
                        outcome.shippedBytes = service.archive.size
                    } else {
                        try await deployer.pin(
                            service.archive.image,
                            plan.held[node.name] ?? ContainerdImages(rows: []),
                            on: node
                        )
                    }
                } catch {
                    outcome.result = .failed(Self.error(error))
                }
                outcomes.append(outcome)
            }
            return outcomes
        }
        var missing: [String: [String]] = [:]
        for result in imports {
            switch result.result {
            case .success(let outcomes):
                report.outcomes += outcomes
                for outcome in outcomes where outcome.failed {
                    missing[outcome.service, default: []].append(outcome.node)
                }
            case .failure(let error):
                report.unreachable.append(NodeFailure(node: result.node.name, message: error.description))
                for image in work where image.node == result.node {
                    missing[image.service, default: []].append(result.node.name)
                }
            }
        }
        for failure in plan.unreachable {
            for service in plan.services where service.service.nodes.contains(where: { $0.name == failure.node }) {
                missing[service.service.name, default: []].append(failure.node)
            }
        }
        // 2. Rollouts, every service at once.
        let rolling = plan.services.filter(\.changes)
        guard !rolling.isEmpty, !stopping(), !Task.isCancelled else { return report }
        do {
            try await deployer.apply(plan.shared, secrets: [:])
        } catch {
            for service in rolling {
                report.outcomes.append(Self.failed(service, on: plan.server, Self.error(error)))
            }
            return report
        }
        let rollout = self
        let outcomes = await withTaskGroup(of: Outcome.self) { group in
            for service in rolling {
                if let nodes = missing[service.service.name] {
                    report.outcomes.append(
                        Self.failed(
                            service,
                            on: plan.server,
                            ReleaseError(
                                "\(service.service.name) was not rolled out: its image is not verified on "
                                    + nodes.sorted().joined(separator: ", "),
                                hint: "bring those nodes back (or leave them out with --on) and deploy again"
                            )
                        )
                    )
                    continue
                }
                group.addTask {
                    await rollout.rollOut(service, plan: plan, progress: progress)
                }
            }
            var outcomes: [Outcome] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        report.outcomes += outcomes.sorted { $0.service < $1.service }
        // 3. Retention, for the services that now serve their new deployment.
        for service in rolling where outcomes.contains(where: { $0.service == service.service.name && !$0.failed }) {
            await self.prune(service, plan: plan, progress: progress)
        }
        return report
    }

    /// Applies `service`'s documents, watches the rollout; on failure re-applies what served before.
    func rollOut(
        _ service: K3sRolloutPlan.Service,
        plan: K3sRolloutPlan,
        progress: @escaping @Sendable (String, String) -> Void
    ) async -> Outcome {
        let name = service.service.name
        let server = plan.server
        var outcome = Outcome(
            node: server.name,
            service: name,
            deployment: service.entry.deployment,
            result: .rolledOut,
            shippedBytes: 0,
            removed: [],
            digest: service.archive.image.digest
        )
        do {
            progress(server.name, "\(name): applying \(service.entry.deployment)")
            try await self.deployer.apply(service.documents, secrets: self.secrets)
            progress(server.name, "\(name): rolling out \(service.service.replicas) pods")
            let watched = try await self.deployer.watch(service.target, deadline: self.deadline(of: service.service))
            if watched == .ready {
                try await self.deployer.record(
                    service.entry,
                    previous: service.serving == service.entry.deployment
                        ? plan.observation.workloads[name]?.previous : service.serving
                )
                return outcome
            }
            outcome.result = .failed(await self.undo(service, after: watched, plan: plan, progress: progress))
        } catch {
            outcome.result = .failed(Self.error(error))
        }
        return outcome
    }

    /// After a failed rollout: the error naming why, and what serves now.
    func undo(
        _ service: K3sRolloutPlan.Service,
        after watched: K3sDeployer.WatchResult,
        plan: K3sRolloutPlan,
        progress: @escaping @Sendable (String, String) -> Void
    ) async -> ReleaseError {
        let name = service.service.name
        var why: String
        switch watched {
        case .failed(let failure, let log):
            why = failure.description
            if !log.isEmpty { why += "\n  last log lines:\n" + log.map { "    \($0)" }.joined(separator: "\n") }
        case .timedOut(let waiting):
            why = "\(name): the rollout did not finish within \(self.deadline(of: service.service)) (\(waiting))"
        case .ready:
            why = "\(name): ready"
        }
        guard let serving = plan.observation.serving(name) else {
            return ReleaseError(
                why
                    + "\n  nothing served \(name) before, so there is nothing to go back to; the failed pods are left to inspect",
                hint: "fix the cause and deploy again"
            )
        }
        progress(plan.server.name, "\(name): rolling back to \(serving.deployment)")
        do {
            try await self.deployer.apply(serving.reapplied, secrets: [:])
            let back = try await self.deployer.watch(
                RolloutTarget(service: name, image: serving.image, replicas: service.service.replicas),
                deadline: self.deadline(of: service.service)
            )
            guard back == .ready else {
                return ReleaseError(
                    why + "\n  the rollback to \(serving.deployment) did not become ready either: \(back)",
                    hint:
                        "look at `k3s kubectl get pods -n \(self.deployer.namespace) -l app=\(name)` on \(plan.server.name)"
                )
            }
        } catch {
            return ReleaseError(
                why + "\n  rolling back to \(serving.deployment) failed: \(error)",
                hint: "deploy again"
            )
        }
        return ReleaseError(
            why + "\n  rolled back: \(serving.deployment) serves \(name) again",
            hint: "fix the cause and deploy again; `lurusctl releases` lists what is kept"
        )
    }

    /// Keeps the newest `keep_releases` deployments of `service` (never the serving one or the rollback
    /// target), deleting the ledger entries, the hash-named objects no kept entry names, and the images no
    /// kept entry runs on each node.
    func prune(
        _ service: K3sRolloutPlan.Service,
        plan: K3sRolloutPlan,
        progress: @escaping @Sendable (String, String) -> Void
    ) async {
        let name = service.service.name
        var entries = plan.observation.ledger.entries(of: name).filter { $0.deployment != service.entry.deployment }
        entries.append(service.entry)
        let previous =
            service.serving == service.entry.deployment ? plan.observation.workloads[name]?.previous : service.serving
        let doomed = K3sRetention.prune(
            entries,
            keep: self.deployer.settings.keepReleases,
            protected: Set([service.entry.deployment, previous].compactMap { $0 })
        )
        if !doomed.entries.isEmpty {
            progress(plan.server.name, "\(name): pruning \(doomed.entries.count) old deployments")
        }
        // A prune that fails leaves more kept than asked: said, not a failed deploy; the next one retries.
        do {
            try await self.deployer.delete(doomed.objects)
        } catch {
            progress(plan.server.name, "\(name): pruning failed (the next deploy retries): \(error)")
        }
        let deployer = self.deployer
        let results = await NodeFanOut.results(service.service.nodes.filter(self.nodes.contains)) { node in
            // Every image of the service no kept entry runs: those of the entries pruned now, of earlier prunes
            // that could not reach this node, and of rollouts that failed.
            let held = plan.held[node.name] ?? ContainerdImages(rows: [])
            let references = held.references(of: name, digests: held.digests(of: name).subtracting(doomed.kept))
            try await deployer.removeImages(references, on: node)
        }
        for result in results {
            if case .failure(let error) = result.result {
                progress(result.node.name, "\(name): removing old images failed (the next deploy retries): \(error)")
            }
        }
    }

    static func failed(_ service: K3sRolloutPlan.Service, on server: Node, _ error: ReleaseError) -> Outcome {
        Outcome(
            node: server.name,
            service: service.service.name,
            deployment: service.entry.deployment,
            result: .failed(error),
            shippedBytes: 0,
            removed: []
        )
    }

    static func error(_ error: any Error) -> ReleaseError {
        if let error = error as? ReleaseError { return error }
        if error is CancellationError {
            return ReleaseError(
                "interrupted while rolling out: K3s goes on with the rollout on its own, but lurusctl did not see it end",
                hint: "run `lurusctl deploy` again: it watches the rollout to its end and records it"
            )
        }
        if let error = error as? RemoteError {
            return ReleaseError("\(error.node): \(error.message)", hint: error.hint)
        }
        return ReleaseError("\(error)", hint: "deploy again; if it fails the same way, report it")
    }
}
