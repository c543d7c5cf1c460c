import Foundation
import Logging
import LurusComponents
import LurusEngine
import LurusInventory
import LurusRemote

/// What `plan` and `up` share: read each node's facts, turn the inventory into units, probe and plan.
struct Provisioning: Sendable {
    var inventory: Inventory
    var nodes: [Node]
    var only: Component?
    var templates: TemplateLibrary

    /// The plan for the selected nodes: facts (one round trip per node), units, then the engine's probe
    /// (one more round trip per node). A node whose facts cannot be read is a failure of the plan.
    func plan(engine: Engine) async -> Plan {
        let catalog = ComponentCatalog(inventory: self.inventory, templates: self.templates)
        let only = self.only
        let prepared = await NodeFanOut.results(self.nodes) { node in
            let facts = try await engine.session.facts(of: node)
            return try catalog.units(on: node, facts: facts, only: only)
        }
        var units: [(node: Node, units: [WorkUnit])] = []
        var failures: [NodeFailure] = []
        for result in prepared {
            switch result.result {
            case .success(let nodeUnits): units.append((result.node, nodeUnits))
            case .failure(let error):
                let message = engine.redact(error.description)
                engine.events(.nodeFailed(node: result.node.name, message: message))
                failures.append(NodeFailure(node: result.node.name, message: message))
            }
        }
        var plan = await engine.plan(units)
        plan.failures += failures
        return plan
    }

    /// Placed components this version does not provision yet, for a note under the plan.
    var unprovisioned: [Component] {
        let catalog = ComponentCatalog(inventory: self.inventory, templates: self.templates)
        let placed = Set(self.nodes.flatMap(catalog.unprovisioned(on:)))
        return Component.allCases.filter { placed.contains($0) && (self.only == nil || self.only == $0) }
    }
}
