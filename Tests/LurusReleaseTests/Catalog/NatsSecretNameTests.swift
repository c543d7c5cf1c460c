import LurusComponents
import LurusInventory
import LurusTestSupport
import Testing

@testable import LurusRelease

/// The catalog gives services the NATS password under the name the `nats` component writes it with.
@Suite struct NatsSecretNameTests {
    @Test func theNatsNodeNeedsTheSecretTheServicesRead() async throws {
        let inventory = try InventoryLoader.load(path: Repository.path("inventory/lurus.yaml")).inventory
        let templates = try await TemplateLibrary(directory: Repository.path("templates"))
        let catalog = ComponentCatalog(inventory: inventory, templates: templates)
        let brain = try #require(inventory.node(named: "brain"))
        let needs = catalog.secretNeeds(on: brain, only: .nats).map(\.name)
        #expect(needs == [ServiceCatalog.natsPasswordSecret])
    }
}
