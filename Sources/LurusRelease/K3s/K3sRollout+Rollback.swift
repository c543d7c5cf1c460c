import LurusEngine
import LurusInventory
import LurusRemote

extension K3sRollout {
    /// Where a rollback of `service` goes: one entry, on the K3s server, read from its ledger.
    public func rollbackPlan(_ service: ResolvedService, to release: ReleaseID?) async -> RollbackPlan {
        var plan = RollbackPlan()
        do {
            let cluster = try await self.deployer.observeCluster()
            plan.cluster = cluster
            plan.entries.append(
                RollbackPlan.Entry(
                    node: self.deployer.server,
                    service: service,
                    observed: SystemdObservation.Service(),
                    choice: RollbackChoice.target(service.name, in: cluster, release: release),
                    serving: cluster.workloads[service.name]?.deployment
                )
            )
        } catch {
            plan.unreachable.append(NodeFailure(node: self.deployer.server.name, message: "\(error)"))
        }
        return plan
    }

    /// Carries out `plan`: per service, checks its old image is on every node that may run it, re-applies
    /// the deployment's manifests (its ConfigMap and Secret by name: the configuration it had), watches the
    /// rollout, and marks it serving with the one it replaced as the next rollback target.
    public func rollback(_ plan: RollbackPlan) async -> DeployReport {
        var report = DeployReport(unreachable: plan.unreachable)
        guard let cluster = plan.cluster else { return report }
        for entry in plan.entries {
            let name = entry.service.name
            var outcome = Outcome(
                node: entry.node.name,
                service: name,
                deployment: entry.serving ?? "",
                result: .unchanged,
                shippedBytes: 0,
                removed: []
            )
            switch entry.choice {
            case .nothing(let why):
                outcome.result = .failed(
                    ReleaseError("\(name) on \(entry.node.name): \(why)", hint: RollbackChoice.hint)
                )
            case .deployment(let target) where target == entry.serving:
                break
            case .deployment(let target):
                outcome.deployment = target
                do {
                    guard let kept = cluster.ledger.entry(service: name, deployment: target) else {
                        throw ReleaseError("\(name): \(target) is not in the ledger", hint: RollbackChoice.hint)
                    }
                    try await self.requireImage(kept, of: entry.service)
                    let shared = try self.manifests.parts(
                        [],
                        among: self.placed,
                        inventory: self.inventory,
                        images: [],
                        secrets: [:]
                    ).shared
                    try await self.deployer.apply(shared + kept.reapplied, secrets: [:])
                    let watched = try await self.deployer.watch(
                        RolloutTarget(service: name, image: kept.image, replicas: entry.service.replicas),
                        deadline: self.deadline(of: entry.service)
                    )
                    guard watched == .ready else {
                        throw ReleaseError(
                            "\(name): the rollback to \(target) did not become ready: \(watched)",
                            hint:
                                "look at `k3s kubectl get pods -n \(self.deployer.namespace) -l app=\(name)` on \(entry.node.name)"
                        )
                    }
                    try await self.deployer.record(kept, previous: entry.serving)
                    outcome.result = .rolledOut
                    outcome.digest = kept.image.split(separator: "@").last.map(String.init)
                } catch {
                    outcome.result = .failed(Self.error(error))
                }
            }
            report.outcomes.append(outcome)
        }
        return report
    }

    /// That every node of this rollout that may run `service` holds the image of `entry`: a rollback
    /// must not wait on ErrImageNeverPull.
    func requireImage(_ entry: LedgerEntry, of service: ResolvedService) async throws {
        let digest = entry.image.split(separator: "@").last.map(String.init) ?? ""
        let image = try PodImage(service.component, digest: digest)
        let deployer = self.deployer
        let results = await NodeFanOut.results(service.nodes.filter(self.nodes.contains)) { node in
            let held = try await deployer.observeImages(on: node)
            if held.state(of: image) == .unpinned { try await deployer.pin(image, held, on: node) }
            return held.state(of: image)
        }
        let lacking = results.filter { result in
            if case .success(let state) = result.result { return state == .missing }
            return true
        }.map(\.node.name)
        guard lacking.isEmpty else {
            throw ReleaseError(
                "\(service.name): the image of \(entry.deployment) (\(image)) is not on \(lacking.sorted().joined(separator: ", "))",
                hint: "deploy release \(entry.record.release) again instead (`lurusctl deploy` from that commit)"
            )
        }
    }
}
