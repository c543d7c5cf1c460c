import LurusInventory
import LurusTestSupport
import Testing

@testable import LurusHealth

/// Which checks each node of the shipped inventories gets.
@Suite struct HealthPlanTests {
    static func inventory(_ name: String) throws -> Inventory {
        try InventoryLoader.load(path: Repository.path("inventory/\(name)")).inventory
    }

    static func names(_ inventory: Inventory, _ node: String) throws -> [String] {
        HealthPlan.checks(on: try #require(inventory.node(named: node)), in: inventory).map(\.name)
    }

    @Test func theLabsNodesCheckWhatIsPlacedOnThem() throws {
        let lab = try Self.inventory("lab.yaml")
        let base = ["disk", "inodes", "memory", "systemd", "clock"]
        let brain = try Self.names(lab, "brain")
        #expect(Array(brain.prefix(5)) == base)
        for name in ["nats", "nats.streams", "node-exporter", "service.gateway", "service.provider", "service.billing"]
        {
            #expect(brain.contains(name), "brain: \(name) in \(brain)")
        }
        let heart = try Self.names(lab, "heart")
        for name in ["postgres", "postgres.connections", "postgres.archiving", "redis", "backup.postgres"] {
            #expect(heart.contains(name), "heart: \(name) in \(heart)")
        }
        let monitor = try Self.names(lab, "monitor")
        #expect(
            monitor.contains("prometheus") && monitor.contains("prometheus.targets") && monitor.contains("alertmanager")
        )
        let node = try Self.names(lab, "lab")
        #expect(node.contains("clickhouse") && node.contains("service.log") && node.contains("backup.clickhouse"))
        #expect(Set(brain).count == brain.count, "names are unique on a node")
        #expect(HealthPlan.checkSeconds(lab.health) == Double(lab.health.timeout.milliseconds) / 1000 - 0.5)
        #expect(HealthPlan.meshAddress(of: try #require(lab.node(named: "heart")), in: lab) == .literal("10.77.0.12"))
    }

    @Test func underK3sTheServerChecksTheDeploymentsAndTailscaleGivesTheAddress() throws {
        let lurus = try Self.inventory("lurus.yaml")
        let brain = try Self.names(lurus, "brain")
        for name in [
            "k3s", "k3s.nodes", "k3s.certificate", "service.gateway", "service.provider", "service.billing",
            "service.log",
        ] {
            #expect(brain.contains(name), "brain: \(name) in \(brain)")
        }
        let lab = try Self.names(lurus, "lab")
        #expect(!lab.contains("service.log"), "under K3s a service is checked by its deployment, on the server")
        #expect(lab.contains("jaeger") && lab.contains("minio") && lab.contains("clickhouse"))
        #expect(try Self.names(lurus, "monitor").contains("grafana"))
        #expect(
            HealthPlan.meshAddress(of: try #require(lurus.node(named: "lab")), in: lurus) == .interface("tailscale0")
        )
    }
}
