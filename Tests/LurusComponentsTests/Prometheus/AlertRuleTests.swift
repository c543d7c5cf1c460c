import Foundation
import LurusInventory
import LurusTestSupport
import Testing

@testable import LurusComponents

/// The alert rules as lurusctl writes them, checked and unit-tested by a real promtool (Debian's
/// Prometheus 2.42, which `scripts/setup` installs): every alert fires when it should, stays quiet when it
/// should not, and survives a counter reset and missing samples (`Fixtures/prometheus/alerts.test.yml`).
@Suite struct AlertRuleTests {
    static let promtool = "/usr/bin/promtool"

    static func inventory(_ text: String) throws -> Inventory {
        let paths = PathResolver(inventoryDirectory: Repository.path("inventory"), homeDirectory: "/home/operator")
        let (inventory, diagnostics) = InventoryLoader.check(text: text, file: "lurus.yaml", paths: paths)
        return try #require(inventory, "\(diagnostics)")
    }

    static func production() throws -> Inventory {
        try Self.inventory(try String(contentsOfFile: Repository.path("inventory/lurus.yaml"), encoding: .utf8))
    }

    /// A folder with the rules rendered for `inventory` as `alerts.yml`.
    static func rendered(_ inventory: Inventory) async throws -> URL {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.promtool),
            "no \(Self.promtool): run scripts/setup (it installs Debian's prometheus package for promtool)"
        )
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lurus-rules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let templates = try await TemplateLibrary(directory: Repository.path("templates"))
        try AlertRules.render(inventory, templates: templates).write(
            to: folder.appendingPathComponent("alerts.yml"),
            atomically: true,
            encoding: .utf8
        )
        return folder
    }

    @Test func everyAlertPassesItsPromtoolUnitTests() async throws {
        let folder = try await Self.rendered(try Self.production())
        defer { try? FileManager.default.removeItem(at: folder) }
        let check = try await ProcessRunner.run(
            Self.promtool,
            ["check", "rules", folder.appendingPathComponent("alerts.yml").path]
        )
        #expect(check.status == 0, "\(check)")
        #expect(check.stdout.contains("SUCCESS: 12 rules found"), "\(check)")
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/prometheus")
        for name in ["alerts.test.yml", "alerts-weekly.test.yml"] {
            try FileManager.default.copyItem(
                at: fixtures.appendingPathComponent(name),
                to: folder.appendingPathComponent(name)
            )
        }
        let run = try await ProcessRunner.run(
            Self.promtool,
            ["test", "rules", "alerts.test.yml", "alerts-weekly.test.yml"],
            currentDirectory: folder.path,
            timeout: 120
        )
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.components(separatedBy: "SUCCESS").count == 3, "both files pass: \(run)")
    }

    @Test func fiveGroupsElevenAlertsAndTheWatchdog() async throws {
        let folder = try await Self.rendered(try Self.production())
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = try String(contentsOf: folder.appendingPathComponent("alerts.yml"), encoding: .utf8)
        let groups = text.split(separator: "\n").filter { $0.hasPrefix("  - name: ") }.map { $0.dropFirst(10) }
        #expect(groups == ["service_health", "llm_provider", "cost_usage", "request_rate", "cache", "watchdog"])
        let alerts = text.split(separator: "\n").filter { $0.hasPrefix("      - alert: ") }.map { $0.dropFirst(15) }
        #expect(
            alerts == [
                "ServiceDown", "HighErrorRate", "HighLatency", "ProviderHighErrorRate", "ProviderFailoverSpike",
                "HighHourlyCost", "HighDailyCost", "CostSpike", "HighRequestRate", "TrafficAnomaly", "LowCacheHitRate",
                "Watchdog",
            ]
        )
    }

    @Test func thresholdsComeFromTheInventory() async throws {
        let text = try String(contentsOfFile: Repository.path("inventory/lurus.yaml"), encoding: .utf8)
        let changed = text.replacingOccurrences(
            of: "components:\n",
            with:
                "components:\n  prometheus:\n    alert_hourly_cost_usd: 7.5\n    alert_latency_p95: 2500ms\n    alert_error_ratio: 0.1\n"
        )
        #expect(changed != text, "inventory/lurus.yaml has no components: block to add to")
        let folder = try await Self.rendered(try Self.inventory(changed))
        defer { try? FileManager.default.removeItem(at: folder) }
        let rules = try String(contentsOf: folder.appendingPathComponent("alerts.yml"), encoding: .utf8)
        #expect(rules.contains("expr: sum(increase(lurus_gateway_cost_usd_total[1h])) > 7.5"))
        #expect(rules.contains("> 2.5\n"))
        #expect(rules.contains(") > 0.1\n") && rules.contains("More than 10% of the gateway's requests"))
        let check = try await ProcessRunner.run(
            Self.promtool,
            ["check", "rules", folder.appendingPathComponent("alerts.yml").path]
        )
        #expect(check.status == 0, "\(check)")
    }

    @Test func aThresholdOutOfRangeIsALocatedError() throws {
        let text =
            "cluster: t\nruntime: systemd\nmesh: none\nnodes:\n  m:\n    address: 10.0.0.1\n    components: [prometheus]\ncomponents:\n  prometheus:\n    alert_error_ratio: 5\n    alert_request_rate: many\n"
        let paths = PathResolver(inventoryDirectory: "/inventory", homeDirectory: "/home/operator")
        let (_, diagnostics) = InventoryLoader.check(text: text, file: "t.yaml", paths: paths)
        let messages = diagnostics.map(\.description)
        #expect(
            messages.contains {
                $0.hasPrefix(
                    "t.yaml:10:24: components.prometheus.alert_error_ratio: '5' is not a number from 0.001 to 1"
                )
            },
            "\(messages)"
        )
        #expect(
            messages.contains {
                $0.hasPrefix("t.yaml:11:25: components.prometheus.alert_request_rate: 'many' is not a number")
            },
            "\(messages)"
        )
    }
}
