import Foundation
import LurusEngine
import LurusInventory
import LurusRemote
import LurusTestSupport
import Testing
import Yams

@testable import LurusComponents

/// Prometheus's and Alertmanager's configurations as lurusctl writes them for both shipped inventories,
/// checked by the real promtool and amtool (Debian's 2.42 and 0.25, which `scripts/setup` installs): the
/// scrape jobs are the inventory's, every route sends where `alerting:` says, and no value the inventory
/// wrote can change a file's structure.
@Suite struct MonitoringConfigurationTests {
    static let amtool = "/usr/bin/amtool"

    /// The files a node's units write, by path.
    static func files(_ inventory: String, node: String, facts: ClusterFacts? = nil) async throws -> [String: String] {
        let loaded = try InventoryLoader.load(path: Repository.path("inventory/\(inventory)"))
        let catalog = ComponentCatalog(
            inventory: loaded.inventory,
            templates: try await TemplateLibrary(directory: Repository.path("templates"))
        )
        let facts = facts ?? ClusterFacts([:])
        let units = try ClusterComponentsGoldenTests.units(catalog, on: node, facts: facts)
        var files: [String: String] = [:]
        for resource in units.flatMap(\.resources) {
            if case .file(let file) = resource.kind { files[file.path] = String(decoding: file.content, as: UTF8.self) }
        }
        return files
    }

    /// A temporary folder holding `files` by name.
    static func folder(_ files: [String: String]) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "lurus-monitoring-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, text) in files {
            try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return folder
    }

    static func promtoolCheck(_ files: [String: String]) async throws -> ProcessRunner.Result {
        let config = try #require(files[PrometheusComponent.configPath], "no prometheus.yml among \(files.keys)")
        let rules = try #require(files[PrometheusComponent.rulesPath])
        let folder = try Self.folder(["alerts.yml": rules])
        defer { try? FileManager.default.removeItem(at: folder) }
        let local = config.replacingOccurrences(
            of: PrometheusComponent.rulesPath,
            with: folder.appendingPathComponent("alerts.yml").path
        )
        try local.write(to: folder.appendingPathComponent("prometheus.yml"), atomically: true, encoding: .utf8)
        return try await ProcessRunner.run(
            AlertRuleTests.promtool,
            ["check", "config", folder.appendingPathComponent("prometheus.yml").path]
        )
    }

    @Test func theLabsScrapeJobsAreItsNodesAndServices() async throws {
        let files = try await Self.files("lab.yaml", node: "monitor")
        let check = try await Self.promtoolCheck(files)
        #expect(check.status == 0 && check.stdout.contains("SUCCESS: 12 rules found"), "\(check)")
        let config = try #require(files[PrometheusComponent.configPath])
        let jobs = config.split(separator: "\n").filter { $0.hasPrefix("  - job_name: ") }.map { $0.dropFirst(14) }
        #expect(
            jobs == [
                "\"prometheus\"", "\"alertmanager\"", "\"node\"", "\"lurus-provider\"", "\"lurus-billing\"",
                "\"lurus-gateway\"", "\"lurus-log\"", "\"postgres\"", "\"redis\"",
            ]
        )
        for (node, address) in [
            ("brain", "10.77.0.11"), ("heart", "10.77.0.12"), ("monitor", "10.77.0.13"), ("lab", "10.77.0.14"),
        ] {
            #expect(
                config.contains(
                    "- targets: [\"\(address):9100\"]\n        labels:\n          instance: \"\(node):9100\"\n          node: \"\(node)\""
                ),
                "node exporter of \(node)"
            )
        }
        #expect(
            config.contains("- targets: [\"10.77.0.11:18100\"]\n        labels:\n          instance: \"brain:18100\"")
        )
        #expect(
            config.contains("- targets: [\"10.77.0.12:9187\"]\n        labels:\n          instance: \"heart:9187\"")
        )
        #expect(
            config.contains("- targets: [\"10.77.0.12:9121\"]\n        labels:\n          instance: \"heart:9121\"")
        )
        #expect(!config.contains("clickhouse"), "Debian's ClickHouse 18.16 has no Prometheus endpoint")
        #expect(config.contains("  scrape_interval: 5s\n  scrape_timeout: 5s\n  evaluation_interval: 5s\n"))
        #expect(config.contains("        - targets:\n            - \"10.77.0.13:9093\"\n"))
    }

    @Test func productionScrapesOverTheMeshAndSaysWhatItDoesNot() async throws {
        let facts = try ClusterComponentsGoldenTests.facts()
        let files = try await Self.files("lurus.yaml", node: "monitor", facts: facts)
        let check = try await Self.promtoolCheck(files)
        #expect(check.status == 0, "\(check)")
        let config = try #require(files[PrometheusComponent.configPath])
        #expect(!config.contains("lurus-gateway"), "K3s pods are not reachable from monitor: no job may pretend")
        for (job, target) in [("clickhouse", "lab:9363"), ("postgres", "heart:9187"), ("redis", "heart:9121")] {
            #expect(
                config.contains("  - job_name: \"\(job)\"\n    static_configs:\n      - targets: [\"100."),
                "\(job)"
            )
            #expect(config.contains("instance: \"\(target)\""), "\(job)")
        }
        #expect(config.split(separator: "\n").filter { $0.contains(":9100\"]") }.allSatisfy { $0.contains("[\"100.") })
    }

    /// `amtool config routes test` for one alert's labels: the receiver it reaches.
    static func route(_ config: URL, _ labels: [String]) async throws -> String {
        let result = try await ProcessRunner.run(
            Self.amtool,
            ["config", "routes", "test", "--config.file=\(config.path)"] + labels
        )
        #expect(result.status == 0, "\(result)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func productionAlertsGoWhereTheInventorySays() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.amtool), "no amtool: run scripts/setup")
        let files = try await Self.files("lurus.yaml", node: "monitor", facts: try ClusterComponentsGoldenTests.facts())
        let text = try #require(files[AlertmanagerComponent.configPath])
        try UnitDescription.check(text, golden: "alertmanager-lurus.yml")
        let folder = try Self.folder(["alertmanager.yml": text])
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("alertmanager.yml")
        let check = try await ProcessRunner.run(Self.amtool, ["check-config", config.path])
        #expect(check.status == 0 && check.stdout.contains("SUCCESS"), "\(check)")
        #expect(
            try await Self.route(config, ["alertname=ServiceDown", "severity=critical", "job=lurus-gateway"])
                == "oncall"
        )
        #expect(try await Self.route(config, ["alertname=HighLatency", "severity=warning"]) == "ops-mail")
        #expect(try await Self.route(config, ["alertname=Watchdog", "severity=none"]) == "deadman")
        #expect(text.contains("smtp_auth_password_file: /etc/prometheus/alertmanager-smtp-password"))
        #expect(!text.contains("test-secret-alerting/email/password"), "the mail password is a file of its own")
    }

    @Test func withoutAlertingWatchdogAndEverythingElseGoNowhere() async throws {
        let text = AlertmanagerConfiguration.render(nil, webhooks: [:])
        let folder = try Self.folder(["alertmanager.yml": text])
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("alertmanager.yml")
        let check = try await ProcessRunner.run(Self.amtool, ["check-config", config.path])
        #expect(check.status == 0, "\(check)")
        #expect(try await Self.route(config, ["alertname=ServiceDown", "severity=critical"]) == "lurus-discard")
        #expect(try await Self.route(config, ["alertname=Watchdog"]) == "lurus-discard")
    }

    /// Watchdog's route looks at its group no less often than the cluster's own group_interval (at most a
    /// minute) and repeats it no less often than repeat_interval (at most 5 minutes): the lab's 10 s each
    /// hold, so a webhook started late still gets one within seconds (a 1 m look let Alertmanager's
    /// retries back off for up to a minute), and production's defaults keep Watchdog at 1 m and 5 m.
    @Test func watchdogIsLookedAtAsOftenAsTheClusterAsks() async throws {
        func watchdogRoute(_ alerting: AlertingSettings?) throws -> [String: String] {
            let text = AlertmanagerConfiguration.render(alerting, webhooks: [:])
            let config = try #require(try Yams.load(yaml: text) as? [String: Any])
            let routes = (config["route"] as? [String: Any])?["routes"] as? [[String: Any]] ?? []
            let route = try #require(routes.first { "\($0["matchers"] ?? "")".contains("Watchdog") })
            return route.compactMapValues { $0 as? String }
        }
        let lab = try InventoryLoader.load(path: Repository.path("inventory/lab.yaml")).inventory.alerting
        #expect(lab?.groupInterval.text == "10s" && lab?.repeatInterval.text == "10s")
        let short = try watchdogRoute(lab)
        #expect(short["group_interval"] == "10s" && short["repeat_interval"] == "10s", "\(short)")
        let defaults = try watchdogRoute(nil)
        #expect(defaults["group_interval"] == "1m" && defaults["repeat_interval"] == "5m", "\(defaults)")
    }

    /// Label values and addresses with quotes, braces and newlines stay values: the file still parses and
    /// the route still matches exactly that value.
    @Test func hostileValuesStayValues() async throws {
        let value = "a\"b}, c: [d]\n#e\\"
        var alerting = AlertingSettings(
            receiver: "team",
            receivers: [
                .init(name: "team", webhook: .environment("X")),
                .init(name: "odd", email: ["o'hara\"@example.com"]),
            ]
        )
        alerting.routes = [.init(receiver: "odd", match: [(label: "service", value: value)])]
        alerting.email = .init(smarthost: "smtp.example.com:25", from: "x@example.com")
        let text = AlertmanagerConfiguration.render(alerting, webhooks: ["team": "https://h.example.com/x?a=\"1\"&b=2"])
        let folder = try Self.folder(["alertmanager.yml": text])
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("alertmanager.yml")
        let check = try await ProcessRunner.run(Self.amtool, ["check-config", config.path])
        #expect(check.status == 0, "\(check)\n\(text)")
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        #expect(try await Self.route(config, ["service=\"\(escaped)\""]) == "odd")
        #expect(try await Self.route(config, ["service=a"]) == "team")
    }
}
