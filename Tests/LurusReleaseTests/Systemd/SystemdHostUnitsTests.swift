import Foundation
import LurusComponents
import LurusEngine
import LurusInventory
import LurusTestSupport
import Testing

@testable import LurusRelease

/// What the systemd runtime asks the engine for on the lab's nodes before a release can run there.
@Suite struct SystemdHostUnitsTests {
    @Test func brainGetsItsServicesSetupAndItsProxyLabTheLogServiceOthersNothing() async throws {
        let inventory = try InventoryLoader.load(path: Repository.path("inventory/lab.yaml")).inventory
        let services = try ServiceCatalog.resolve(in: inventory)
        let needs = SystemdHostUnits.secretNeeds(of: services, inventory: inventory).map(\.name)
        #expect(
            needs == [
                "postgres/provider", "redis/default", "nats/lurus", "gateway/catalog", "postgres/billing",
                "gateway/keys", "gateway/service-token", "providers/fake", "clickhouse/lurus", "admin/token",
            ]
        )
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
        #expect(units.map(\.id.component) == ["provider", "billing", "gateway", "service-proxy"])
        #expect(units.allSatisfy { $0.after == [UnitID(node: "brain", component: "base")] })
        let files = units[2].resources.compactMap { resource -> File? in
            if case .file(let file) = resource.kind { return file }
            return nil
        }
        let secretFiles = files.filter { $0.path.hasPrefix("/etc/lurus/gateway/secrets/") }
        #expect(
            secretFiles.map(\.path).sorted() == [
                "/etc/lurus/gateway/secrets/catalog.json", "/etc/lurus/gateway/secrets/keys.json",
                "/etc/lurus/gateway/secrets/nats-password", "/etc/lurus/gateway/secrets/provider-fake",
                "/etc/lurus/gateway/secrets/service-token-billing", "/etc/lurus/gateway/secrets/service-token-provider",
            ]
        )
        #expect(secretFiles.allSatisfy { $0.mode == 0o600 && $0.owner == "lurus-gateway" && $0.sensitive })
        #expect(
            files.contains {
                $0.path == "/etc/lurus/gateway/green.env"
                    && String(decoding: $0.content, as: UTF8.self).contains("HTTP_PORT=38100")
            }
        )
        let proxy = units[3].resources.map(\.id.description)
        #expect(proxy.contains("package haproxy") && proxy.contains("file /etc/haproxy/haproxy.cfg"))
        #expect(proxy.contains("service haproxy"))
        // The proxy on brain takes each service's clients: the gateway's from anywhere, the others' on
        // the node's own address.
        let configuration = try #require(
            units[3].resources.compactMap { resource -> File? in
                if case .file(let file) = resource.kind, file.path == SystemdFiles.proxyConfiguration { return file }
                return nil
            }.first
        )
        let haproxy = String(decoding: configuration.content, as: UTF8.self)
        #expect(haproxy.contains("bind 0.0.0.0:18100\n"))
        #expect(haproxy.contains("bind 10.77.0.11:18101\n") && haproxy.contains("bind 10.77.0.11:18103\n"))
        let provider = units[0].resources.compactMap { resource -> File? in
            if case .file(let file) = resource.kind, file.path.hasPrefix("/etc/lurus/provider/secrets/") { return file }
            return nil
        }
        #expect(
            provider.map(\.path) == [
                "/etc/lurus/provider/secrets/postgres-password", "/etc/lurus/provider/secrets/redis-password",
                "/etc/lurus/provider/secrets/nats-password", "/etc/lurus/provider/secrets/catalog.json",
            ]
        )
        #expect(provider.allSatisfy { $0.mode == 0o600 && $0.owner == "lurus-provider" && $0.sensitive })
        // No node gets the admin token: its services are given only its digest, in their deployment.
        for node in inventory.nodes {
            let here = try SystemdHostUnits.units(
                on: node,
                services: services,
                inventory: inventory,
                secrets: secrets,
                templates: templates
            )
            for case .file(let file) in here.flatMap(\.resources).map(\.kind) {
                #expect(file.content != Array("value of admin/token".utf8), "\(file.path) holds the admin token")
            }
        }
        let lab = try #require(inventory.node(named: "lab"))
        let onLab = try SystemdHostUnits.units(
            on: lab,
            services: services,
            inventory: inventory,
            secrets: secrets,
            templates: templates
        )
        #expect(onLab.map(\.id.component) == ["log", "service-proxy"])
        #expect(onLab[0].resources.map(\.id.description).contains("unit lurus-log@.service"))
        for node in inventory.nodes where node.name != "brain" && node.name != "lab" {
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
