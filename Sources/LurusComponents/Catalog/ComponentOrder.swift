import LurusInventory

/// The units a component's unit waits for, read from the one dependency table (`Component.dependencies`).
enum ComponentOrder {
    /// Components needed on the same node first.
    static func sameNode(_ component: Component) -> [Component] {
        component.dependencies.filter { $0.scope == .sameNode }.map(\.component)
    }

    /// Components needed anywhere in the cluster first (every node they are placed on).
    static func cluster(_ component: Component) -> [Component] {
        component.dependencies.filter { $0.scope == .cluster }.map(\.component)
    }
}
