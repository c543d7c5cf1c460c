import LurusEngine
import LurusInventory

/// Placeholder while the component is written.
enum NatsComponent: ComponentDefinition {
    static func secretNames(inventory: Inventory, node: Node) -> [SecretNeed] { [] }

    static func resources(_ context: ComponentContext) throws -> (resources: [Resource.Kind], notices: [String]) {
        ([], [])
    }
}
