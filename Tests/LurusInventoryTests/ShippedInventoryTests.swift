import Foundation
import LurusInventory
import Testing

/// The two inventories the repository ships load without errors and say what the design says.
@Suite struct ShippedInventoryTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func load(_ name: String) throws -> InventoryLoader.Loaded {
        try InventoryLoader.load(path: Self.root.appendingPathComponent("inventory/\(name)").path)
    }

    @Test func productionInventoryMatchesTheDesign() throws {
        let loaded = try self.load("lurus.yaml")
        let inventory = loaded.inventory
        #expect(loaded.warnings.isEmpty)
        #expect(inventory.cluster == "lurus")
        #expect(inventory.runtime == .k3s)
        #expect(inventory.nodes.map(\.name) == ["brain", "heart", "monitor", "lab"])
        guard case .tailscale(let tailscale) = inventory.mesh else {
            Issue.record("production mesh must be tailscale")
            return
        }
        #expect(tailscale.authKey == .environment("TAILSCALE_AUTH_KEY"))
        #expect(tailscale.tags == ["tag:lurus"])

        let brain = try #require(inventory.node(named: "brain"))
        #expect(brain.address == .ipv4("43.226.46.164"))
        #expect(inventory.nodes(running: .k3sServer).map(\.name) == ["brain"])
        #expect(inventory.nodes(running: .k3sAgent).map(\.name) == ["heart", "lab"])
        #expect(brain.labels.contains(Node.Label(key: "lurus.cn/role", value: "gateway")))
        #expect(brain.labels.contains(Node.Label(key: "lurus.cn/bandwidth", value: "high")))

        let heart = try #require(inventory.node(named: "heart"))
        #expect(heart.taints.map(\.description) == ["lurus.cn/database=postgres:NoSchedule"])
        #expect(inventory.nodes(running: .postgres).map(\.name) == ["heart"])

        let lab = try #require(inventory.node(named: "lab"))
        #expect(lab.ssh.proxyJump == "brain")
        #expect(brain.ssh.proxyJump == nil)
        #expect(lab.taints.map(\.description) == ["lurus.cn/local=true:PreferNoSchedule"])
        // MinIO moved off ClickHouse's native port 9000 on lab.
        let labPorts = inventory.ports(on: lab)
        #expect(labPorts.filter { $0.component == .minio }.map(\.port) == [9002, 9001])
        #expect(labPorts.filter { $0.component == .clickhouse }.map(\.port) == [8123, 9000, 9363])
        #expect(Set(labPorts.map(\.port)).count == labPorts.count)

        #expect(inventory.settings(for: .gateway)["replicas"] == .integer(2))
        #expect(inventory.backup?.destination == .minio)
        #expect(inventory.backup?.keepLast == 14)
        // Every node gets base, tailscale and node-exporter without listing them.
        for node in inventory.nodes {
            let components = inventory.components(on: node)
            #expect(components.contains(.base) && components.contains(.tailscale) && components.contains(.nodeExporter))
        }
        #expect(inventory.meshAddress(of: brain) == nil, "the Tailscale address is known only once Tailscale is up")
    }

    @Test func labInventoryPointsAtTheLabsKeys() throws {
        let inventory = try self.load("lab.yaml").inventory
        #expect(inventory.mesh == .none)
        #expect(inventory.runtime == .systemd)
        #expect(inventory.nodes.map(\.address.description) == ["10.77.0.11", "10.77.0.12", "10.77.0.13", "10.77.0.14"])
        #expect(inventory.nodes(running: .k3sServer).isEmpty)
        for node in inventory.nodes {
            #expect(node.ssh.identityFile == Self.root.appendingPathComponent(".lab/ssh/id_ed25519").path)
            #expect(node.ssh.knownHostsFile == Self.root.appendingPathComponent(".lab/ssh/known_hosts").path)
            #expect(node.ssh.configFile == .path(Self.root.appendingPathComponent(".lab/ssh/config").path))
            #expect(inventory.meshAddress(of: node) == node.address)
            #expect(!inventory.components(on: node).contains(.tailscale))
        }
        // Only what runs on this machine kind.
        for absent in [Component.k3sServer, .k3sAgent, .minio, .grafana, .jaeger, .tailscale] {
            #expect(!inventory.isPlaced(absent), "\(absent) cannot run in the local lab")
        }
    }
}

/// `doc/inventory.md` names every key the loader accepts, so the reference cannot fall behind the code.
@Suite struct InventoryReferenceTests {
    @Test func everyKeyIsDocumented() throws {
        let doc = try String(
            contentsOf: ShippedInventoryTests.root.appendingPathComponent("doc/inventory.md"),
            encoding: .utf8
        )
        let missing = InventorySchema.keyPaths.filter { !doc.contains("`\($0)`") }
        #expect(missing.isEmpty, "doc/inventory.md does not document: \(missing.joined(separator: ", "))")
    }
}
