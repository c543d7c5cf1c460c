import Foundation
import LurusComponents
import LurusEngine
import LurusInventory
import LurusTestSupport
import Testing

@testable import LurusRelease

/// What the systemd runtime asks the engine for on the lab's brain before a release can run there.
@Suite struct SystemdHostUnitsTests {
    @Test func brainGetsTheGatewaysSetupAndItsProxyOthersNothing() async throws {
        let inventory = try InventoryLoader.load(path: Repository.path("inventory/lab.yaml")).inventory
        let services = try ServiceCatalog.resolve(in: inventory)
        let needs = SystemdHostUnits.secretNeeds(of: services, inventory: inventory).map(\.name)
        #expect(needs == ["gateway/keys", "nats/lurus", "gateway/catalog", "providers/fake"])
        var secrets: [String: Secret] = [:]
        for name in needs { secrets[name] = Secret(name: name, bytes: Array("value of \(name)".utf8)) }
        let templates = try await TemplateLibrary(directory: Repository.path("templates"))
        let brain = try #require(inventory.node(named: "brain"))
        let units = try SystemdHostUnits.units(
            on: brain,
            services: services,
            inventory: inventory,
            secrets: secrets,
            templates: templates
        )
        #expect(units.map(\.id.component) == ["gateway", "service-proxy"])
        #expect(units.allSatisfy { $0.after == [UnitID(node: "brain", component: "base")] })
        let files = units[0].resources.compactMap { resource -> File? in
            if case .file(let file) = resource.kind { return file }
            return nil
        }
        let secretFiles = files.filter { $0.path.hasPrefix("/etc/lurus/gateway/secrets/") }
        #expect(
            secretFiles.map(\.path).sorted() == [
                "/etc/lurus/gateway/secrets/catalog.json", "/etc/lurus/gateway/secrets/keys.json",
                "/etc/lurus/gateway/secrets/nats-password", "/etc/lurus/gateway/secrets/provider-fake",
            ]
        )
        #expect(secretFiles.allSatisfy { $0.mode == 0o600 && $0.owner == "lurus-gateway" && $0.sensitive })
        #expect(
            files.contains {
                $0.path == "/etc/lurus/gateway/green.env"
                    && String(decoding: $0.content, as: UTF8.self).contains("HTTP_PORT=38100")
            }
        )
        let proxy = units[1].resources.map(\.id.description)
        #expect(proxy.contains("package haproxy") && proxy.contains("file /etc/haproxy/haproxy.cfg"))
        #expect(proxy.contains("service haproxy"))
        for node in inventory.nodes where node.name != "brain" {
            let none = try SystemdHostUnits.units(
                on: node,
                services: services,
                inventory: inventory,
                secrets: secrets,
                templates: templates
            )
            #expect(none.isEmpty, "\(node.name) runs no service")
        }
    }
}
