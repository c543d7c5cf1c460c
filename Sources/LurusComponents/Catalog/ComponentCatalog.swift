import LurusEngine
import LurusInventory
import LurusRemote

/// Turns the inventory into the units of a run: one per component placed on a node, each with its
/// resources and the units it needs first. Pure: (inventory, facts, secret values) -> units.
public struct ComponentCatalog: Sendable {
    public var inventory: Inventory
    public var templates: TemplateLibrary

    public init(inventory: Inventory, templates: TemplateLibrary) {
        self.inventory = inventory
        self.templates = templates
    }

    /// Components this version provisions, with the type that turns each into resources. The others are
    /// placed and validated but left for a later version.
    static var definitions: [Component: any ComponentDefinition.Type] {
        [
            .base: BaseComponent.self,
            .tailscale: TailscaleComponent.self,
            .k3sServer: K3sComponent.self,
            .k3sAgent: K3sComponent.self,
            .postgres: PostgresComponent.self,
            .clickhouse: ClickHouseComponent.self,
            .minio: MinioComponent.self,
            .redis: RedisComponent.self,
            .nats: NatsComponent.self,
            .prometheus: PrometheusComponent.self,
            .alertmanager: AlertmanagerComponent.self,
            .grafana: GrafanaComponent.self,
            .jaeger: JaegerComponent.self,
            .nodeExporter: NodeExporterComponent.self,
        ]
    }

    /// The secrets the units on `node` need; resolve them (generating what is missing) before `units`.
    public func secretNeeds(on node: Node, only: Component? = nil) -> [SecretNeed] {
        self.placed(on: node, only: only).flatMap { component in
            Self.definitions[component]!.secretNames(inventory: self.inventory, node: node)
        }
    }

    /// The units of `node`, in the order they run; `only` keeps one component.
    ///
    /// A unit that needs a mesh address not known yet (Tailscale not up on that node) comes back deferred,
    /// with a notice, so the rest of the run goes ahead and `up` plans it again afterwards.
    public func units(
        on node: Node,
        facts: ClusterFacts,
        secrets: [String: Secret] = [:],
        only: Component? = nil
    ) throws -> [WorkUnit] {
        try self.placed(on: node, only: only).map { component in
            let id = UnitID(node: node.name, component: component.name)
            let context = ComponentContext(
                inventory: self.inventory,
                node: node,
                component: component,
                cluster: facts,
                templates: self.templates,
                secrets: secrets
            )
            var unit: WorkUnit
            do {
                let made = try Self.definitions[component]!.resources(context)
                unit = WorkUnit(id: id, resources: made.resources.map(context.resource), notices: made.notices)
            } catch let pending as MeshAddressPending {
                unit = WorkUnit(
                    id: id,
                    resources: [],
                    notices: [
                        "waits for the mesh address of \(pending.node) (Tailscale is not up there yet); "
                            + "planned again once it is"
                    ],
                    deferred: true
                )
            }
            unit.after = self.prerequisites(of: component, on: node)
            return unit
        }
    }

    /// Placed components this version does not provision yet, on `node`.
    public func unprovisioned(on node: Node) -> [Component] {
        self.inventory.components(on: node).filter { Self.definitions[$0] == nil }
    }

    func placed(on node: Node, only: Component?) -> [Component] {
        self.inventory.components(on: node)
            .filter { only == nil || $0 == only }
            .filter { Self.definitions[$0] != nil }
    }

    func prerequisites(of component: Component, on node: Node) -> [UnitID] {
        let placedHere = self.inventory.components(on: node)
        let local = ComponentOrder.sameNode(component)
            .filter { placedHere.contains($0) && Self.definitions[$0] != nil }
            .map { UnitID(node: node.name, component: $0.name) }
        let remote = ComponentOrder.cluster(component).filter { Self.definitions[$0] != nil }.flatMap { needed in
            self.inventory.nodes(running: needed).map { UnitID(node: $0.name, component: needed.name) }
        }
        return local + remote + self.serialUpgrade(of: component, on: node)
    }

    /// K3s agents join (and upgrade) one at a time, each after the agent before it in the inventory, so a
    /// version change never takes more than one agent down at once.
    func serialUpgrade(of component: Component, on node: Node) -> [UnitID] {
        guard component == .k3sAgent else { return [] }
        let agents = self.inventory.nodes(running: .k3sAgent)
        guard let index = agents.firstIndex(where: { $0.name == node.name }), index > 0 else { return [] }
        return [UnitID(node: agents[index - 1].name, component: Component.k3sAgent.name)]
    }
}
