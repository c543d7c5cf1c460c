import Foundation
import LurusEngine
import LurusInventory
import LurusRemote
import LurusTestSupport
import Testing
import Yams

@testable import LurusComponents

/// Jaeger as `inventory/lurus.yaml` places it (on lab; no Jaeger binary runs here, so the plan is golden in
/// `Golden/plan-lurus-lab.txt`): its configuration read back as YAML holds together the way Jaeger v2
/// wires it (every pipeline part defined, one storage backend for writing and reading), listens on the
/// mesh address only, and Prometheus scrapes it; a 1.x version or a missing digest is refused with a fix.
@Suite struct JaegerComponentTests {
    static func labFiles() async throws -> [String: String] {
        try await MonitoringConfigurationTests.files(
            "lurus.yaml",
            node: "lab",
            facts: try ClusterComponentsGoldenTests.facts()
        )
    }

    @Test func theConfigurationHoldsTogetherOnTheMeshAddressOnly() async throws {
        let text = try #require(try await Self.labFiles()[JaegerComponent.configPath])
        let config = try #require(try Yams.load(yaml: text) as? [String: Any])
        let service = try #require(config["service"] as? [String: Any])
        let pipeline = try #require((service["pipelines"] as? [String: Any])?["traces"] as? [String: [String]])
        for (section, names) in [
            ("receivers", pipeline["receivers"] ?? []), ("processors", pipeline["processors"] ?? []),
            ("exporters", pipeline["exporters"] ?? []), ("extensions", service["extensions"] as? [String] ?? []),
        ] {
            let defined = (config[section] as? [String: Any?])?.keys.sorted() ?? []
            #expect(!names.isEmpty && names.allSatisfy(defined.contains), "\(section): \(names) of \(defined)")
        }
        let extensions = try #require(config["extensions"] as? [String: Any])
        let backends = try #require(
            ((extensions["jaeger_storage"] as? [String: Any])?["backends"] as? [String: Any])
        )
        let written =
            ((config["exporters"] as? [String: Any])?["jaeger_storage_exporter"] as? [String: Any])?[
                "trace_storage"
            ] as? String
        let read = ((extensions["jaeger_query"] as? [String: Any])?["storage"] as? [String: Any])?["traces"] as? String
        #expect(written != nil && written == read && backends.keys.contains(written!), "\(backends.keys)")
        let badger = try #require((backends[written!] as? [String: Any])?["badger"] as? [String: Any])
        #expect(badger["ephemeral"] as? Bool == false)
        #expect((badger["ttl"] as? [String: Any])?["spans"] as? String == "72h", "retention 3d as Go writes it")

        // Every endpoint: lab's Tailscale address (the recorded facts), never 0.0.0.0 or localhost.
        let endpoints = text.split(separator: "\n").filter { $0.contains("endpoint:") || $0.contains("host:") }
        #expect(endpoints.count == 6, "\(endpoints)")
        #expect(endpoints.allSatisfy { $0.contains("\"100.64.200.9") }, "\(endpoints)")
        for port in [4317, 4318, 16686, 16685, 13133] { #expect(text.contains("100.64.200.9:\(port)\"")) }
    }

    @Test func prometheusScrapesJaegersOwnMetrics() async throws {
        let files = try await MonitoringConfigurationTests.files(
            "lurus.yaml",
            node: "monitor",
            facts: try ClusterComponentsGoldenTests.facts()
        )
        let check = try await MonitoringConfigurationTests.promtoolCheck(files)
        #expect(check.status == 0, "\(check)")
        let config = try #require(files[PrometheusComponent.configPath])
        #expect(
            config.contains(
                "  - job_name: \"jaeger\"\n    static_configs:\n      - targets: [\"100.64.200.9:8888\"]\n"
                    + "        labels:\n          instance: \"lab:8888\""
            )
        )
    }

    /// The production inventory with `edit` applied to its text, loaded from a temporary file.
    static func catalog(editing edit: (String) -> String) async throws -> ComponentCatalog {
        let text = try String(contentsOfFile: Repository.path("inventory/lurus.yaml"), encoding: .utf8)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("jaeger-\(UUID().uuidString).yaml")
        try edit(text).write(to: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: path) }
        let loaded = try InventoryLoader.load(path: path.path)
        return ComponentCatalog(
            inventory: loaded.inventory,
            templates: try await TemplateLibrary(directory: Repository.path("templates"))
        )
    }

    static func error(_ catalog: ComponentCatalog) throws -> String {
        do {
            _ = try ClusterComponentsGoldenTests.units(
                catalog,
                on: "lab",
                facts: try ClusterComponentsGoldenTests.facts(),
                only: .jaeger
            )
        } catch {
            return "\(error)"
        }
        Issue.record("the units were made")
        return ""
    }

    @Test func aJaeger1VersionIsRefusedWithTheFix() async throws {
        let catalog = try await Self.catalog { $0.replacingOccurrences(of: "jaeger: 2.20.0", with: "jaeger: 1.64.0") }
        let message = try Self.error(catalog)
        #expect(message.contains("versions.jaeger is 1.64.0"), "\(message)")
        #expect(message.contains("set versions.jaeger to a 2.x release"), "\(message)")
    }

    @Test func aMissingDigestIsRefusedWithWhereToFindIt() async throws {
        let catalog = try await Self.catalog {
            $0.replacingOccurrences(
                of: "    sha256: c967368ba09be356089ef7e8aab2a76d170dc007ff6ccf7925c8167ede2900d7\n",
                with: ""
            )
        }
        let message = try Self.error(catalog)
        #expect(message.contains("components.jaeger.sha256 is not set"), "\(message)")
        #expect(message.contains("jaeger-2.20.0-linux-amd64.tar.gz"), "\(message)")
        #expect(message.contains("releases/tag/v2.20.0"), "\(message)")
    }

    static let durations: [(Int64, String)] = [
        (3 * 86_400_000, "72h"), (90 * 60_000, "90m"), (45_000, "45s"), (1500, "1500ms"), (3_600_000, "1h"),
    ]

    @Test(arguments: Self.durations)
    func durationsAreWrittenAsGoReadsThem(milliseconds: Int64, expected: String) {
        #expect(JaegerComponent.goDuration(milliseconds: milliseconds) == expected)
    }
}
