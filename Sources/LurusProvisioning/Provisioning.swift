import LurusComponents
import LurusEngine
import LurusInventory
import LurusRemote

/// What `plan` and `up` share: read each node's facts, turn the inventory into units, probe and plan.
public struct Provisioning: Sendable {
    public var inventory: Inventory
    public var nodes: [Node]
    public var only: Component?
    public var templates: TemplateLibrary
    /// The values of the secrets the selected units need, from `resolveSecrets`.
    public var secrets: [String: Secret] = [:]

    public init(inventory: Inventory, nodes: [Node], only: Component?, templates: TemplateLibrary) {
        self.inventory = inventory
        self.nodes = nodes
        self.only = only
        self.templates = templates
    }

    public var catalog: ComponentCatalog { ComponentCatalog(inventory: self.inventory, templates: self.templates) }

    /// Resolves every secret the selected units need, generating the missing ones in the state directory,
    /// before any node is contacted: a secret that cannot be had stops the run here, changing nothing.
    public mutating func resolveSecrets(_ store: SecretStore) async throws(SecretError) {
        var needs: [SecretNeed] = []
        for node in self.nodes {
            for need in self.catalog.secretNeeds(on: node, only: self.only) where !needs.contains(need) {
                needs.append(need)
            }
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
                units.append((node, try catalog.units(on: node, facts: cluster, secrets: self.secrets, only: only)))
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
        let placed = Set(self.nodes.flatMap(self.catalog.unprovisioned(on:)))
        return Component.allCases.filter { placed.contains($0) && (self.only == nil || self.only == $0) }
    }
}
