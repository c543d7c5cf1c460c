import Foundation
import LurusEngine
import LurusInventory
import LurusRemote
import LurusTestSupport
import Testing

@testable import LurusComponents

/// What `base` wants on a node, for the shipped inventories, as a golden file per case
/// (`Golden/base-*.txt`; regenerate with `LURUS_UPDATE_GOLDEN=1 swift test --filter BaseComponent`).
@Suite struct BaseComponentTests {
    static func catalog(_ inventory: String) async throws -> ComponentCatalog {
        let loaded = try InventoryLoader.load(path: Repository.path("inventory/\(inventory)"))
        let templates = try await TemplateLibrary(directory: Repository.path("templates"))
        return ComponentCatalog(inventory: loaded.inventory, templates: templates)
    }

    static func facts(container: String) -> ClusterFacts {
        var facts = NodeFacts()
        facts.container = container
        return ClusterFacts(["brain": facts, "heart": facts, "monitor": facts, "lab": facts])
    }

    @Test func labNodeInAContainer() async throws {
        let catalog = try await Self.catalog("lab.yaml")
        let node = try #require(catalog.inventory.node(named: "heart"))
        let units = try catalog.units(on: node, facts: Self.facts(container: "systemd-nspawn"), only: .base)
        #expect(units.map(\.id.component) == ["base"])
        try UnitDescription.check(
            UnitDescription.describe(units, detail: .contents),
            golden: "base-lab-heart-container.txt"
        )
        // Only net.* settings are left inside a container, and the notice says what was skipped.
        let keys = units[0].resources.filter { $0.id.kind == "sysctl" }.map(\.id.name)
        #expect(keys == ["net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding"])
        #expect(units[0].notices.contains { $0.contains("vm.overcommit_memory") })
    }

    @Test func productionNodeOnAMachine() async throws {
        let catalog = try await Self.catalog("lurus.yaml")
        let node = try #require(catalog.inventory.node(named: "lab"))
        let units = try catalog.units(on: node, facts: Self.facts(container: "none"), only: .base)
        try UnitDescription.check(
            UnitDescription.describe(units, detail: .contents),
            golden: "base-lurus-lab-machine.txt"
        )
        #expect(units[0].notices.isEmpty)
        #expect(
            units[0].resources.contains {
                $0.id == ResourceID(kind: "file", name: "/etc/modules-load.d/lurus-k3s.conf")
            }
        )
    }

    @Test func everyNodeHasBaseAndANodeExporterAndOnlyServicesAreLeftToDeploy() async throws {
        let catalog = try await Self.catalog("lurus.yaml")
        for node in catalog.inventory.nodes {
            let units = try catalog.units(on: node, facts: Self.facts(container: "none"), only: .base)
            #expect(units.map(\.id.component) == ["base"], "\(node.name)")
            let exporter = try catalog.secretNeeds(on: node, only: .nodeExporter)
            #expect(
                exporter.isEmpty && catalog.placed(on: node, only: .nodeExporter) == [.nodeExporter],
                "\(node.name)"
            )
            #expect(!catalog.unprovisioned(on: node).contains(.tailscale))
        }
        let leftOver = catalog.inventory.nodes.flatMap(catalog.unprovisioned)
        #expect(!leftOver.isEmpty && leftOver.allSatisfy(\.isService), "\(leftOver)")
        let only = try catalog.units(
            on: catalog.inventory.nodes[0],
            facts: Self.facts(container: "none"),
            only: .postgres
        )
        #expect(only.isEmpty)
    }

    @Test func hostsBlockListsEveryNode() async throws {
        let catalog = try await Self.catalog("lab.yaml")
        let units = try catalog.units(on: catalog.inventory.nodes[0], facts: Self.facts(container: "none"), only: .base)
        let block = units[0].resources.compactMap { resource -> FileBlock? in
            if case .fileBlock(let block) = resource.kind { return block } else { return nil }
        }
        #expect(block.first?.lines == ["10.77.0.11 brain", "10.77.0.12 heart", "10.77.0.13 monitor", "10.77.0.14 lab"])
    }
}
