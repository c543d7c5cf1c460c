import Foundation
import Glibc
import LurusInventory
import LurusTestSupport
import Testing

@testable import LurusComponents

/// The whole alert path on this machine, with real programs and lurusctl's own files: Debian's Prometheus
/// scrapes a target, evaluates the rendered alert rules (ServiceDown's `for` shortened to seconds) and
/// fires to Debian's Alertmanager running `AlertmanagerConfiguration`'s file, which delivers to a webhook
/// this test runs (`scripts/test/alert-webhook`); then the target comes back and the alert resolves.
@Suite struct AlertLoopbackTests {
    static let prometheus = "/usr/bin/prometheus"
    static let alertmanager = "/usr/bin/prometheus-alertmanager"
    static func freePort() throws -> Int { try LocalPorts.free() }

    /// A background program of the test; killed when the test ends.
    final class Program: @unchecked Sendable {
        let process = Process()

        init(_ executable: String, _ arguments: [String], in folder: URL) throws {
            self.process.executableURL = URL(fileURLWithPath: executable)
            self.process.arguments = arguments
            self.process.currentDirectoryURL = folder
            let log = folder.appendingPathComponent("\(URL(fileURLWithPath: executable).lastPathComponent).log")
            FileManager.default.createFile(atPath: log.path, contents: nil)
            let handle = try FileHandle(forWritingTo: log)
            self.process.standardOutput = handle
            self.process.standardError = handle
            try self.process.run()
        }

        func stop() {
            if self.process.isRunning { kill(self.process.processIdentifier, SIGKILL) }
        }

        deinit { self.stop() }
    }

    /// The notifications the hook received so far: (arrival time, body).
    static func notifications(_ file: URL) -> [(received: Double, body: [String: Any])] {
        let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let entry = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let body = entry["body"] as? [String: Any], let received = entry["received"] as? Double
            else { return nil }
            return (received, body)
        }
    }

    /// Waits up to `seconds` for a notification about ServiceDown with `status`.
    static func serviceDown(_ file: URL, status: String, seconds: Int) async throws -> (Double, [String: Any])? {
        for _ in 0..<(seconds * 4) {
            let found = Self.notifications(file).first { note in
                (note.body["commonLabels"] as? [String: String])?["alertname"] == "ServiceDown"
                    && note.body["status"] as? String == status
            }
            if let found { return found }
            try await Task.sleep(for: .milliseconds(250))
        }
        return nil
    }

    @Test func aDownTargetFiresToTheWebhookAndResolves() async throws {
        let ports = (
            prometheus: try Self.freePort(), alertmanager: try Self.freePort(), hook: try Self.freePort(),
            target: try Self.freePort()
        )
        for tool in [Self.prometheus, Self.alertmanager] {
            try #require(FileManager.default.isExecutableFile(atPath: tool), "no \(tool): run scripts/setup")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "lurus-loopback-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("target"),
            withIntermediateDirectories: true
        )
        defer { try? FileManager.default.removeItem(at: folder) }
        try "lurus_loopback_target 1\n".write(
            to: folder.appendingPathComponent("target/metrics"),
            atomically: true,
            encoding: .utf8
        )

        // The rules lurusctl ships, with ServiceDown pending 3 s instead of 2 minutes.
        let templates = try await TemplateLibrary(directory: Repository.path("templates"))
        let inventory = try AlertRuleTests.production()
        let rules = try AlertRules.render(inventory, templates: templates)
        let quick = rules.replacingOccurrences(
            of: "expr: up == 0\n        for: 2m\n",
            with: "expr: up == 0\n        for: 3s\n"
        )
        #expect(quick != rules, "ServiceDown's for: 2m was not found in the rules")
        try quick.write(to: folder.appendingPathComponent("alerts.yml"), atomically: true, encoding: .utf8)
        let config = try templates.render(
            "prometheus/prometheus.yml",
            [
                "cluster": "loopback", "interval": "1s", "timeout": "1s",
                "rules": folder.appendingPathComponent("alerts.yml").path,
                "has_alertmanagers": true, "alertmanagers": ["127.0.0.1:\(ports.alertmanager)"],
                "jobs": [
                    [
                        "name": "lurus-gateway",
                        "targets": [
                            ["address": "127.0.0.1:\(ports.target)", "node": "brain", "instance": "brain:18100"]
                        ],
                    ]
                ],
            ]
        )
        try config.write(to: folder.appendingPathComponent("prometheus.yml"), atomically: true, encoding: .utf8)

        var alerting = AlertingSettings(
            receiver: "hook",
            receivers: [.init(name: "hook", webhook: .environment("HOOK"))]
        )
        alerting.groupWait = InventoryDuration.parse("1s")!
        alerting.groupInterval = InventoryDuration.parse("1s")!
        try AlertmanagerConfiguration.render(
            alerting,
            webhooks: ["hook": "http://127.0.0.1:\(ports.hook)/alerts"]
        ).write(to: folder.appendingPathComponent("alertmanager.yml"), atomically: true, encoding: .utf8)

        let received = folder.appendingPathComponent("received.jsonl")
        let hook = try Program(
            Repository.path("scripts/test/alert-webhook"),
            ["127.0.0.1", String(ports.hook), received.path],
            in: folder
        )
        let manager = try Program(
            Self.alertmanager,
            [
                "--config.file=alertmanager.yml", "--storage.path=am", "--cluster.listen-address=",
                "--web.listen-address=127.0.0.1:\(ports.alertmanager)",
            ],
            in: folder
        )
        let server = try Program(
            Self.prometheus,
            [
                "--config.file=prometheus.yml", "--storage.tsdb.path=tsdb",
                "--web.listen-address=127.0.0.1:\(ports.prometheus)",
            ],
            in: folder
        )
        var target: Program? = try Program(
            "/usr/bin/python3",
            ["-m", "http.server", "--bind", "127.0.0.1", "--directory", "target", String(ports.target)],
            in: folder
        )
        defer { for program in [hook, manager, server] { program.stop() } }

        // Up for a while: nothing about ServiceDown may arrive.
        try await Task.sleep(for: .seconds(6))
        #expect(
            Self.notifications(received).allSatisfy { note in
                (note.body["commonLabels"] as? [String: String])?["alertname"] != "ServiceDown"
            }
        )

        target?.stop()
        target = nil
        let stopped = Date().timeIntervalSince1970
        let firing = try await Self.serviceDown(received, status: "firing", seconds: 30)
        let (firedAt, fired) = try #require(firing, "no firing ServiceDown in 30 s; logs in \(folder.path)")
        let labels = fired["commonLabels"] as? [String: String] ?? [:]
        #expect(labels["job"] == "lurus-gateway" && labels["instance"] == "brain:18100", "\(labels)")
        #expect(labels["severity"] == "critical" && labels["cluster"] == "loopback", "\(labels)")
        #expect(fired["receiver"] as? String == "hook")
        let annotations = fired["commonAnnotations"] as? [String: String] ?? [:]
        #expect(annotations["summary"] == "lurus-gateway on brain:18100 is down", "\(annotations)")
        // A scrape (1 s), the pending time (3 s), an evaluation (1 s) and group_wait (1 s), with room.
        #expect(firedAt - stopped < 15, "the alert took \(firedAt - stopped) s")

        let back = try Program(
            "/usr/bin/python3",
            ["-m", "http.server", "--bind", "127.0.0.1", "--directory", "target", String(ports.target)],
            in: folder
        )
        defer { back.stop() }
        let resolving = try await Self.serviceDown(received, status: "resolved", seconds: 30)
        let (_, resolved) = try #require(resolving, "no resolved ServiceDown in 30 s; logs in \(folder.path)")
        #expect((resolved["commonLabels"] as? [String: String])?["instance"] == "brain:18100")
    }
}
