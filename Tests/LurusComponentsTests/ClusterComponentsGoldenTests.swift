import Foundation
import LurusEngine
import LurusInventory
import LurusRemote
import LurusTestSupport
import Testing

@testable import LurusComponents

/// The production inventory planned against recorded facts of its four nodes (`Fixtures/lurus-facts.jsonl`):
/// the full plan of each node as a golden file (`Golden/plan-lurus-NODE.txt`; regenerate with
/// `LURUS_UPDATE_GOLDEN=1 swift test --filter ClusterComponentsGoldenTests`), and what Tailscale, K3s and
/// MinIO must get right.
@Suite struct ClusterComponentsGoldenTests {
    static func catalog() async throws -> ComponentCatalog {
        let loaded = try InventoryLoader.load(path: Repository.path("inventory/lurus.yaml"))
        let templates = try await TemplateLibrary(directory: Repository.path("templates"))
        return ComponentCatalog(inventory: loaded.inventory, templates: templates)
    }

    /// The recorded facts (lines of `lurusctl facts --json`): Debian 12 machines, Tailscale up on each.
    static func facts() throws -> ClusterFacts {
        struct Line: Decodable {
            var node: String
            var facts: NodeFacts
        }
        let text = try String(contentsOfFile: Repository.path(Self.factsFixture), encoding: .utf8)
        let lines = try text.split(separator: "\n").map { try JSONDecoder().decode(Line.self, from: Data($0.utf8)) }
        return ClusterFacts(Dictionary(uniqueKeysWithValues: lines.map { ($0.node, $0.facts) }))
    }

    static let factsFixture = "Tests/LurusComponentsTests/Fixtures/lurus-facts.jsonl"

    /// The same facts before Tailscale is up: no address on `tailscale0`.
    static func factsBeforeTailscale() throws -> ClusterFacts {
        var facts = try self.facts()
        for name in facts.nodes.keys { facts.nodes[name]?.addresses.removeAll { $0.interface == "tailscale0" } }
        return facts
    }

    /// A fixed value for every secret the node's units need: `test-secret-NAME` (a URL for a webhook).
    static func secrets(_ catalog: ComponentCatalog, on node: Node) -> [String: Secret] {
        var secrets: [String: Secret] = [:]
        for need in catalog.secretNeeds(on: node) {
            let value =
                need.standIn == nil ? "test-secret-\(need.name)" : "https://hooks.example.com/test-secret-\(need.name)"
            secrets[need.name] = Secret(name: need.name, bytes: Array(value.utf8))
        }
        return secrets
    }

    static func units(
        _ catalog: ComponentCatalog,
        on name: String,
        facts: ClusterFacts,
        only: Component? = nil
    ) throws -> [WorkUnit] {
        let node = try #require(catalog.inventory.node(named: name))
        return try catalog.units(on: node, facts: facts, secrets: self.secrets(catalog, on: node), only: only)
    }

    /// A node's units, and the components that could not be planned with why.
    typealias Plan = (units: [WorkUnit], errors: [String: String])

    /// Every unit of the node, one component at a time: a component that cannot be planned (another
    /// engineer's, in progress) is recorded as an error line instead of failing the whole node.
    static func plan(_ catalog: ComponentCatalog, on name: String, facts: ClusterFacts) throws -> Plan {
        let node = try #require(catalog.inventory.node(named: name))
        let secrets = self.secrets(catalog, on: node)
        var units: [WorkUnit] = []
        var errors: [String: String] = [:]
        for component in catalog.placed(on: node, only: nil) {
            do {
                units += try catalog.units(on: node, facts: facts, secrets: secrets, only: component)
            } catch let error as ComponentError {
                errors[component.name] = error.description
            }
        }
        return (units, errors)
    }

    /// The plan as the golden file holds it: its units, then what could not be planned.
    static func describe(_ plan: Plan) -> String {
        UnitDescription.describe(plan.units)
            + plan.errors.sorted { $0.key < $1.key }.map { "# \($0.key): not planned: \($0.value)\n" }.joined()
    }

    /// The components this suite is about: they must always plan.
    static let checked: Set<String> = ["base", "tailscale", "k3s-server", "k3s-agent", "minio"]

    static func resources(_ units: [WorkUnit]) -> [Resource.Kind] { units.flatMap(\.resources).map(\.kind) }

    static func file(_ path: String, in units: [WorkUnit]) -> File? {
        for case .file(let file) in self.resources(units) where file.path == path { return file }
        return nil
    }

    static func command(_ name: String, in units: [WorkUnit]) -> Command? {
        for case .command(let command) in self.resources(units) where command.name == name { return command }
        return nil
    }

    static func text(_ file: File) -> String { String(decoding: file.content, as: UTF8.self) }

    static func strings(_ command: ShellCommand) -> [String] {
        command.arguments.map { String(decoding: $0, as: UTF8.self) }
    }

    // MARK: The full plans

    @Test(arguments: ["brain", "heart", "monitor", "lab"])
    func fullPlanOfEveryNode(name: String) async throws {
        let catalog = try await Self.catalog()
        let plan = try Self.plan(catalog, on: name, facts: try Self.facts())
        #expect(!plan.units.contains { $0.deferred }, "with Tailscale up nothing waits")
        #expect(plan.errors.keys.filter(Self.checked.contains).isEmpty, "\(plan.errors)")
        try UnitDescription.check(Self.describe(plan), golden: "plan-lurus-\(name).txt")
    }

    // MARK: Tailscale

    @Test func tailscaleUpPassesEveryFlagOnEveryRun() async throws {
        let catalog = try await Self.catalog()
        for node in catalog.inventory.nodes {
            let first = try Self.units(catalog, on: node.name, facts: try Self.factsBeforeTailscale(), only: .tailscale)
            let second = try Self.units(catalog, on: node.name, facts: try Self.facts(), only: .tailscale)
            let before = try #require(Self.command("tailscale up", in: first))
            let after = try #require(Self.command("tailscale up", in: second))
            #expect(before == after, "\(node.name): the second run passes the same command")
            #expect(
                Self.strings(after.command) == [
                    "tailscale", "up", "--auth-key=file:/etc/lurus/secrets/tailscale-auth-key",
                    "--hostname=\(node.name)", "--advertise-tags=tag:lurus", "--accept-dns=false", "--timeout=120s",
                ]
            )
            #expect(!Self.strings(after.command).contains("--reset"))
            let check = try #require(after.unless)
            #expect(Self.strings(check).suffix(2) == [node.name, "tag:lurus"])
            #expect(after.refreshOn == [ResourceID(kind: "file", name: "/etc/lurus/secrets/tailscale-auth-key")])
            let key = try #require(Self.file("/etc/lurus/secrets/tailscale-auth-key", in: second))
            #expect(key.sensitive && key.mode == 0o600)
            #expect(Self.text(key) == "test-secret-tailscale/auth-key")
        }
    }

    @Test func tailscaleNeedsTheMeshAuthKeyReference() async throws {
        let catalog = try await Self.catalog()
        let node = try #require(catalog.inventory.node(named: "brain"))
        let need = try #require(catalog.secretNeeds(on: node).first { $0.name == "tailscale/auth-key" })
        #expect(need.reference == .environment("TAILSCALE_AUTH_KEY"))
    }

    @Test func tailscaleRepositoryIsSignedByTailscalesKey() async throws {
        let catalog = try await Self.catalog()
        let units = try Self.units(catalog, on: "lab", facts: try Self.facts(), only: .tailscale)
        let repository = try #require(
            Self.resources(units).compactMap { kind -> AptRepository? in
                if case .aptRepository(let repository) = kind { return repository }
                return nil
            }.first
        )
        #expect(repository.uris == "https://pkgs.tailscale.com/stable/debian")
        #expect(repository.suites == "bookworm")
        // Tailscale's package signing key (fingerprint 2596 A99E AAB3 3821 893C 0A79 458C A832 957F 5868).
        #expect(
            repository.signingKey.hasPrefix("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBF5UmbgBEADAA5mxC8EoWEf53RVd")
        )
        #expect(repository.signingKey.contains("\n=AIVM\n-----END PGP PUBLIC KEY BLOCK-----"))
    }

    // MARK: K3s

    @Test func k3sConfigUsesTheMeshAddressesAndTheInventory() async throws {
        let catalog = try await Self.catalog()
        let facts = try Self.facts()
        let expected: [(node: String, component: Component, lines: [String], absent: [String])] = [
            (
                "brain", .k3sServer,
                [
                    "node-ip: \"100.101.12.7\"", "node-external-ip: \"43.226.46.164\"", "flannel-iface: \"tailscale0\"",
                    "https-listen-port: 6443", "tls-san:", "  - \"43.226.46.164\"", "  - \"100.101.12.7\"",
                    "node-label:", "  - \"lurus.cn/role=gateway\"", "  - \"lurus.cn/bandwidth=high\"",
                    "token-file: \"/etc/rancher/k3s/token\"",
                ],
                ["server:", "node-taint:"]
            ),
            (
                "heart", .k3sAgent,
                [
                    "node-ip: \"100.88.41.20\"", "node-external-ip: \"115.190.239.146\"",
                    "flannel-iface: \"tailscale0\"",
                    "server: \"https://100.101.12.7:6443\"", "  - \"lurus.cn/role=database\"",
                    "  - \"lurus.cn/stateful=true\"", "node-taint:", "  - \"lurus.cn/database=postgres:NoSchedule\"",
                ],
                ["tls-san:", "https-listen-port:"]
            ),
            (
                "lab", .k3sAgent,
                [
                    "node-ip: \"100.64.200.9\"", "flannel-iface: \"tailscale0\"",
                    "server: \"https://100.101.12.7:6443\"",
                    "  - \"lurus.cn/role=analytics\"", "  - \"lurus.cn/local=true\"",
                    "  - \"lurus.cn/local=true:PreferNoSchedule\"",
                ],
                // LAN only: no external IP.
                ["node-external-ip:", "tls-san:"]
            ),
        ]
        for entry in expected {
            let units = try Self.units(catalog, on: entry.node, facts: facts, only: entry.component)
            let config = try #require(Self.file("/etc/rancher/k3s/config.yaml", in: units))
            #expect(config.mode == 0o600)
            let lines = Self.text(config).split(separator: "\n").map(String.init)
            for line in entry.lines { #expect(lines.contains(line), "\(entry.node): \(line)") }
            for prefix in entry.absent {
                #expect(!lines.contains { $0.hasPrefix(prefix) }, "\(entry.node): no \(prefix)")
            }
            let token = try #require(Self.file("/etc/rancher/k3s/token", in: units))
            #expect(token.sensitive && token.mode == 0o600)
            // The configuration and token are in place before K3s is installed.
            let ids = units[0].resources.map(\.id)
            let install = try #require(ids.firstIndex { $0.kind == "command" && $0.name.hasPrefix("install k3s") })
            #expect(ids.firstIndex(of: config.id).map { $0 < install } == true)
            #expect(ids.firstIndex(of: token.id).map { $0 < install } == true)
        }
    }

    @Test func k3sInstallIsPinnedAndUpgradesWhenTheVersionChanges() async throws {
        let catalog = try await Self.catalog()
        let units = try Self.units(catalog, on: "heart", facts: try Self.facts(), only: .k3sAgent)
        let install = try #require(Self.command("install k3s agent", in: units))
        #expect(Self.strings(install.command).suffix(3) == ["k3s-install", "v1.31.4+k3s1", "agent"])
        #expect(Self.strings(install.command)[2].contains("https://get.k3s.io"))
        let check = try #require(install.unless)
        #expect(Self.strings(check).suffix(2) == ["/etc/systemd/system/k3s-agent.service", "v1.31.4+k3s1"])
        #expect(units[0].after.contains(UnitID(node: "brain", component: "k3s-server")))
        let service = Self.resources(units).compactMap { kind -> Service? in
            if case .service(let service) = kind { return service }
            return nil
        }
        #expect(service.map(\.name) == ["k3s-agent"])
        #expect(
            service.first?.restartOn == [
                ResourceID(kind: "file", name: "/etc/rancher/k3s/config.yaml"),
                ResourceID(kind: "file", name: "/etc/rancher/k3s/token"),
            ]
        )
    }

    @Test func k3sWaitsUntilTheNodeIsReady() async throws {
        let catalog = try await Self.catalog()
        let facts = try Self.facts()
        let server = try #require(
            Self.command(
                "k3s node brain Ready",
                in: try Self.units(catalog, on: "brain", facts: facts, only: .k3sServer)
            )
        )
        #expect(Self.strings(server.command).suffix(3) == ["brain", "180", "k3s"])
        #expect(Self.strings(try #require(server.unless)).suffix(3) == ["brain", "0", "k3s"])
        let agentUnits = try Self.units(catalog, on: "lab", facts: facts, only: .k3sAgent)
        let agent = try #require(Self.command("k3s node lab Ready", in: agentUnits))
        #expect(
            Self.strings(agent.command).suffix(5) == [
                "lab", "180", "k3s-agent", "--kubeconfig", "/var/lib/rancher/k3s/agent/kubelet.kubeconfig",
            ]
        )
        #expect(Self.strings(agent.command)[2].contains("journalctl -u $unit"))
        #expect(agentUnits[0].resources.last?.id == agent.id)
    }

    @Test func k3sWaitsForTailscaleBeforeItCanBePlanned() async throws {
        let catalog = try await Self.catalog()
        let facts = try Self.factsBeforeTailscale()
        for (name, component) in [("brain", Component.k3sServer), ("heart", .k3sAgent), ("lab", .k3sAgent)] {
            let units = try Self.plan(catalog, on: name, facts: facts).units
            let k3s = try #require(units.first { $0.id.component == component.name })
            #expect(k3s.deferred && k3s.resources.isEmpty, "\(name)")
            #expect(k3s.notices.contains { $0.contains("Tailscale is not up") }, "\(name)")
            #expect(units.first { $0.id.component == "tailscale" }?.deferred == false)
            #expect(units.first { $0.id.component == "base" }?.deferred == false)
        }
    }

    @Test func airgapInstallPushesTheFilesAndSkipsTheDownload() async throws {
        var catalog = try await Self.catalog()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lurus-airgap-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("fake k3s binary".utf8).write(to: folder.appendingPathComponent("k3s"))
        try Data("#!/bin/sh\necho fake install script\n".utf8).write(to: folder.appendingPathComponent("install.sh"))
        try Data("images".utf8).write(to: folder.appendingPathComponent("k3s-airgap-images-amd64.tar.zst"))
        catalog.inventory.settings[.k3sServer] = ComponentSettings(
            component: .k3sServer,
            values: ["install": .text("airgap"), "airgap_dir": .text(folder.path)]
        )
        let units = try Self.units(catalog, on: "brain", facts: try Self.facts(), only: .k3sServer)
        let binary = try #require(Self.file("/usr/local/bin/k3s", in: units))
        #expect(binary.mode == 0o755 && Self.text(binary) == "fake k3s binary")
        let script = try #require(Self.file("/opt/lurus/k3s/install.sh", in: units))
        #expect(Self.file("/var/lib/rancher/k3s/agent/images/k3s-airgap-images-amd64.tar.zst", in: units) != nil)
        let install = try #require(Self.command("install k3s server", in: units))
        #expect(Self.strings(install.command)[2].contains("INSTALL_K3S_SKIP_DOWNLOAD=true"))
        #expect(Self.strings(install.command).suffix(3) == ["/opt/lurus/k3s/install.sh", "v1.31.4+k3s1", "server"])
        #expect(install.refreshOn == [binary.id, script.id])
        try UnitDescription.check(
            UnitDescription.describe(units).replacingOccurrences(of: folder.path, with: "AIRGAP_DIR"),
            golden: "k3s-airgap-brain.txt"
        )

        let missing = folder.appendingPathComponent("absent").path
        catalog.inventory.settings[.k3sServer]?.values["airgap_dir"] = .text(missing)
        let error = #expect(throws: ComponentError.self) {
            try Self.units(catalog, on: "heart", facts: try Self.facts(), only: .k3sAgent)
        }
        #expect(error?.message.contains(missing) == true)
    }

    @Test func kubeconfigPointsAtTheServersAddress() async throws {
        let catalog = try await Self.catalog()
        let server = try #require(K3sKubeconfig.serverURL(inventory: catalog.inventory))
        #expect(server == "https://43.226.46.164:6443")
        let fetched = """
            apiVersion: v1
            clusters:
            - cluster:
                certificate-authority-data: LS0tLS1CRUdJTi
                server: https://127.0.0.1:6443
              name: default
            users:
            - name: default
              user:
                client-certificate-data: LS0tLS1CRUdJTi

            """
        let rewritten = K3sKubeconfig.rewrite(fetched, server: server)
        #expect(rewritten == fetched.replacingOccurrences(of: "https://127.0.0.1:6443", with: server))
        #expect(rewritten.hasSuffix("LS0tLS1CRUdJTi\n"))
        #expect(
            K3sKubeconfig.rewrite("server: https://127.0.0.1:7443", server: "https://[fd00::1]:7443")
                == "server: https://[fd00::1]:7443"
        )
        #expect(K3sKubeconfig.rewrite("server: https://127.0.0.1:", server: server) == "server: https://127.0.0.1:")
        #expect(
            K3sKubeconfig.rewrite("server: https://10.0.0.1:6443", server: server) == "server: https://10.0.0.1:6443"
        )
    }

    // MARK: MinIO

    @Test func minioListensOnTheMeshAddressAndTheInventorysPort() async throws {
        let catalog = try await Self.catalog()
        let units = try Self.units(catalog, on: "lab", facts: try Self.facts(), only: .minio)
        let environment = try #require(Self.file("/etc/default/minio", in: units))
        #expect(environment.sensitive && environment.mode == 0o600)
        let text = Self.text(environment)
        #expect(text.contains("--address 100.64.200.9:9002 --console-address 100.64.200.9:9001"))
        #expect(text.contains("MINIO_VOLUMES='/data/minio'"))
        #expect(text.contains("MINIO_ROOT_USER='test-secret-minio/root-user'"))
        let bucket = try #require(Self.command("minio bucket lurus-backups", in: units))
        #expect(Self.strings(bucket.command).suffix(3) == ["100.64.200.9", "9002", "lurus-backups"])
        #expect(
            Self.strings(try #require(bucket.unless)).suffix(4) == ["100.64.200.9", "9002", "lurus-backups", "check"]
        )
        #expect(Self.strings(bucket.command)[2].contains("--aws-sigv4 'aws:amz:us-east-1:s3' -K -"))
        let download = try #require(
            Self.resources(units).compactMap { kind -> Download? in
                if case .download(let download) = kind { return download }
                return nil
            }.first
        )
        #expect(
            download.url
                == "https://dl.min.io/server/minio/release/linux-amd64/archive/minio.RELEASE.2025-01-20T14-49-07Z"
        )
        #expect(download.sha256 == "3439ca54a18f931cb900b35db0fa223f9ef9ab0c872ec63bbd115777863f4f91")
        let service = Self.resources(units).compactMap { kind -> Service? in
            if case .service(let service) = kind { return service }
            return nil
        }.first
        #expect(
            service?.restartOn == [
                environment.id, ResourceID(kind: "unit", name: "minio.service"), download.id,
            ]
        )
    }

    @Test func minioWithoutTheBinarysSha256IsRefused() async throws {
        var catalog = try await Self.catalog()
        catalog.inventory.settings[.minio]?.values["sha256"] = nil
        let error = #expect(throws: ComponentError.self) {
            try Self.units(catalog, on: "lab", facts: try Self.facts(), only: .minio)
        }
        #expect(error?.message.contains("components.minio.sha256") == true)
        #expect(
            error?.hint.contains(
                "https://dl.min.io/server/minio/release/linux-amd64/archive/minio.RELEASE.2025-01-20T14-49-07Z.sha256sum"
            ) == true
        )
    }

    @Test func minioRefusesCredentialsThatWouldBreakTheirQuoting() async throws {
        let catalog = try await Self.catalog()
        let node = try #require(catalog.inventory.node(named: "lab"))
        var secrets = Self.secrets(catalog, on: node)
        secrets["minio/root-password"] = Secret(name: "minio/root-password", bytes: Array("it's-a-password".utf8))
        let error = #expect(throws: ComponentError.self) {
            try catalog.units(on: node, facts: try Self.facts(), secrets: secrets, only: .minio)
        }
        #expect(error?.message.contains("minio/root-password") == true)
        #expect(error?.message.contains("it's") == false)
    }

    // MARK: Secrets

    @Test func secretsAppearOnlyInSensitiveFiles() async throws {
        let catalog = try await Self.catalog()
        let facts = try Self.facts()
        for node in catalog.inventory.nodes {
            let secrets = Self.secrets(catalog, on: node)
            let plan = try Self.plan(catalog, on: node.name, facts: facts)
            let units = plan.units
            let described = Self.describe(plan)
            for secret in secrets.values {
                #expect(!described.contains(secret.text), "\(node.name): \(secret.name) in the described plan")
            }
            for kind in Self.resources(units) {
                switch kind {
                case .file(let file) where !file.sensitive:
                    for secret in secrets.values {
                        #expect(!Self.text(file).contains(secret.text), "\(file.path) holds \(secret.name)")
                    }
                case .command(let command):
                    let argv = ([command.command] + (command.unless.map { [$0] } ?? [])).flatMap(Self.strings)
                    for secret in secrets.values {
                        #expect(!argv.contains { $0.contains(secret.text) }, "\(command.name) argv has \(secret.name)")
                    }
                default: break
                }
            }
        }
        // And they do reach the node, in their 0600 files.
        let lab = try Self.plan(catalog, on: "lab", facts: facts).units
        #expect(Self.file("/etc/rancher/k3s/token", in: lab).map(Self.text) == "test-secret-k3s/token")
        #expect(
            Self.file("/etc/default/minio", in: lab).map(Self.text)?.contains("test-secret-minio/root-password") == true
        )
    }
}

/// Who internal services accept: the mesh, and on a K3s node its own pods (local delivery keeps a pod's
/// address; traffic from another node is masqueraded to that node's mesh address).
@Suite struct AcceptedNetworksTests {
    @Test func k3sNodesAcceptTheirPodsAndOtherNodesOnlyTheMesh() throws {
        let inventory = try InventoryLoader.load(path: Repository.path("inventory/lurus.yaml")).inventory
        let mesh = MeshAddresses(inventory: inventory, facts: try ClusterComponentsGoldenTests.facts())
        let tailscale = ["100.64.0.0/10", "fd7a:115c:a1e0::/48"]
        for name in ["brain", "heart", "lab"] {
            #expect(mesh.network(of: try #require(inventory.node(named: name))) == tailscale + ["10.42.0.0/16"])
        }
        #expect(mesh.network(of: try #require(inventory.node(named: "monitor"))) == tailscale, "monitor is no K3s node")
        let lab = try InventoryLoader.load(path: Repository.path("inventory/lab.yaml")).inventory
        let labMesh = MeshAddresses(inventory: lab, facts: ClusterFacts([:]))
        #expect(labMesh.network(of: try #require(lab.node(named: "lab"))) == ["10.77.0.14/32"], "no K3s in the lab")
    }
}
