import LurusComponents
import LurusEngine
import LurusInventory
import LurusRelease
import LurusRemote

/// What `plan` and `up` share: read each node's facts, turn the inventory into units, probe and plan.
public struct Provisioning: Sendable {
    public var inventory: Inventory
    public var nodes: [Node]
    public var only: Component?
    public var templates: TemplateLibrary
    /// The values of the secrets the selected units need, from `resolveSecrets`.
    public var secrets: [String: Secret] = [:]
    /// The bundled services the inventory places, resolved; under the systemd runtime each node they run
    /// on gets the units that prepare it (`SystemdHostUnits`).
    public var services: [ResolvedService]
    /// Plan only what the services need on their nodes (`deploy`), not the components.
    public var servicesOnly = false
    /// This run deploys the services (`up`, `deploy`): under K3s their secrets are then resolved too.
    public var deploysServices = false

    /// Resolves the services too: a service that cannot be placed as written stops here, naming why.
    public init(
        inventory: Inventory,
        nodes: [Node],
        only: Component?,
        templates: TemplateLibrary
    ) throws(ServiceCatalogError) {
        self.inventory = inventory
        self.nodes = nodes
        self.only = only
        self.templates = templates
        let services = try ServiceCatalog.resolve(in: inventory)
        // Under systemd the host units carry the secret files, so every run needs them; under K3s only a
        // run that deploys (`deploysServices`) does.
        if inventory.runtime == .systemd, let problem = ServiceCatalog.unnamedSecrets(of: services, in: inventory).first
        {
            throw problem
        }
        self.services = services
    }

    /// The services whose host units this run plans: under the systemd runtime, the deployed ones; under
    /// K3s none (the cluster runs them).
    public var hostedServices: [ResolvedService] {
        guard self.inventory.runtime == .systemd else { return [] }
        return self.deployedServices
    }

    /// A service whose secret has a format but no reference in the inventory (lurusctl cannot generate it).
    public var unnamedSecret: ServiceCatalogError? {
        ServiceCatalog.unnamedSecrets(of: self.deployedServices, in: self.inventory).first
    }

    /// The services this run deploys, on either runtime.
    public var deployedServices: [ResolvedService] {
        self.services.filter { self.only == nil || self.only == $0.component }
    }

    public var catalog: ComponentCatalog { ComponentCatalog(inventory: self.inventory, templates: self.templates) }

    /// Resolves every secret the selected units need, generating the missing ones in the state directory,
    /// before any node is contacted: a secret that cannot be had stops the run here, changing nothing.
    public mutating func resolveSecrets(_ store: SecretStore) async throws(SecretError) {
        var needs: [SecretNeed] = []
        for node in self.nodes where !self.servicesOnly {
            for need in self.catalog.secretNeeds(on: node, only: self.only) where !needs.contains(need) {
                needs.append(need)
            }
        }
        let deploys = self.inventory.runtime == .systemd || self.deploysServices
        let hosted = (deploys ? self.deployedServices : []).filter { service in
            service.nodes.contains(where: self.nodes.contains)
        }
        for need in SystemdHostUnits.secretNeeds(of: hosted, inventory: self.inventory) where !needs.contains(need) {
            needs.append(need)
        }
        for need in needs {
            self.secrets[need.name] =
                if let reference = need.reference {
                    try await store.value(of: reference, as: need.name)
                } else {
                    try await store.value(of: need.name)
                }
        }
    }

    /// The plan for the selected nodes: facts (one round trip per node), units, then the engine's probe
    /// (one more round trip per node). A node whose facts cannot be read is a failure of the plan.
    ///
    /// With a Tailscale mesh the facts of the other nodes are read too: their mesh addresses go into
    /// `/etc/hosts` and K3s's settings. One of them being down only defers what needs its address.
    public func plan(engine: Engine) async -> Plan {
        let catalog = self.catalog
        let only = self.only
        let selected = Set(self.nodes.map(\.name))
        let readFrom = self.inventory.mesh == .none ? self.nodes : self.inventory.nodes
        let transport = engine.transport
        let facts = await NodeFanOut.results(readFrom) { node in try await transport.facts(of: node) }
        var cluster = ClusterFacts()
        var failures: [NodeFailure] = []
        for result in facts {
            switch result.result {
            case .success(let nodeFacts): cluster.nodes[result.node.name] = nodeFacts
            case .failure(let error) where selected.contains(result.node.name):
                let message = engine.redact(error.description)
                engine.events(.nodeFailed(node: result.node.name, message: message))
                failures.append(NodeFailure(node: result.node.name, message: message))
            case .failure: continue
            }
        }
        var units: [(node: Node, units: [WorkUnit])] = []
        for node in self.nodes where cluster[node.name] != nil {
            do {
                var made =
                    self.servicesOnly
                    ? [] : try catalog.units(on: node, facts: cluster, secrets: self.secrets, only: only)
                made += try SystemdHostUnits.units(
                    on: node,
                    services: self.hostedServices,
                    inventory: self.inventory,
                    secrets: self.secrets,
                    templates: self.templates
                )
                units.append((node, made))
            } catch {
                let message = engine.redact("\(error)")
                engine.events(.nodeFailed(node: node.name, message: message))
                failures.append(NodeFailure(node: node.name, message: message))
            }
        }
        var plan = await engine.plan(units)
        plan.failures += failures
        return plan
    }

    /// Placed components this version does not provision yet, for a note under the plan.
    public var unprovisioned: [Component] {
        let hosted = Set(self.deployedServices.map(\.component))
        let placed = Set(self.nodes.flatMap(self.catalog.unprovisioned(on:))).subtracting(hosted)
        return Component.allCases.filter { placed.contains($0) && (self.only == nil || self.only == $0) }
    }

    /// The systemd runtime's deployer for this inventory over `transport`, with the machine's build cache.
    public func deployer(over transport: any NodeTransport) -> SystemdDeployer {
        SystemdDeployer(
            transport: transport,
            templates: self.templates,
            settings: self.inventory.deploy,
            cache: BuildCache.standard()
        )
    }

    /// The node kubectl runs on under the K3s runtime, or an error saying the inventory has none.
    public func kubernetesServer() throws(ReleaseError) -> Node {
        guard let server = KubectlCommands.node(in: self.inventory) else {
            throw ReleaseError(
                "\(self.inventory.path) has runtime: k3s but no node runs k3s-server",
                hint: "add k3s-server to one node's components (kubectl runs there)"
            )
        }
        return server
    }

    /// The K3s runtime's rollout of `services` over `transport`, run with kubectl on `server`.
    public func rollout(of services: [ResolvedService], over transport: any NodeTransport, server: Node) -> K3sRollout {
        K3sRollout(
            deployer: K3sDeployer(
                transport: transport,
                templates: self.templates,
                settings: self.inventory.deploy,
                cache: BuildCache.standard(),
                server: server
            ),
            manifests: KubernetesManifests(templates: self.templates),
            inventory: self.inventory,
            placed: self.services,
            services: services,
            nodes: self.nodes,
            secrets: self.secrets
        )
    }
}
