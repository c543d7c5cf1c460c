import LurusEngine
import LurusInventory
import LurusRemote

/// Turns the inventory into the units of a run: one per component placed on a node, each with its
/// resources and the units it needs first. Pure: (inventory, facts) -> units.
public struct ComponentCatalog: Sendable {
    public var inventory: Inventory
    public var templates: TemplateLibrary

    public init(inventory: Inventory, templates: TemplateLibrary) {
        self.inventory = inventory
        self.templates = templates
    }

    /// Components this version provisions. The others are placed and validated but left for a later one.
    public static let provisioned: [Component] = [.base]

    /// The units of `node`, in the order they run; `only` keeps one component.
    public func units(on node: Node, facts: NodeFacts, only: Component? = nil) throws -> [WorkUnit] {
        try self.inventory.components(on: node)
            .filter { only == nil || $0 == only }
            .filter(Self.provisioned.contains)
            .map { component in
                let id = UnitID(node: node.name, component: component.name)
                var unit: WorkUnit
                switch component {
                case .base:
                    unit = try BaseComponent(
                        inventory: self.inventory,
                        node: node,
                        facts: facts,
                        templates: self.templates
                    ).unit(id)
                default:
                    unit = WorkUnit(id: id, resources: [])
                }
                unit.after = self.prerequisites(of: component, on: node)
                return unit
            }
    }

    /// Placed components this version does not provision yet, on `node`.
    public func unprovisioned(on node: Node) -> [Component] {
        self.inventory.components(on: node).filter { !Self.provisioned.contains($0) }
    }

    func prerequisites(of component: Component, on node: Node) -> [UnitID] {
        let local = ComponentOrder.sameNode(component)
            .filter { self.inventory.components(on: node).contains($0) && Self.provisioned.contains($0) }
            .map { UnitID(node: node.name, component: $0.name) }
        let remote = ComponentOrder.cluster(component).filter(Self.provisioned.contains).flatMap { needed in
            self.inventory.nodes(running: needed).map { UnitID(node: $0.name, component: needed.name) }
        }
        return local + remote
    }
}
