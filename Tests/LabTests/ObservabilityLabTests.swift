import Foundation
import LurusTestSupport
import Testing

extension LabIntegrationTests {
    /// Prometheus and Alertmanager on monitor and a node exporter on every node, as `lurusctl up` leaves
    /// them on the lab: a second up changes nothing, Prometheus scrapes every target the inventory places
    /// (the services, and PostgreSQL and Redis through their exporters) and finds it up, and its alerts reach a webhook this test runs on the
    /// control machine through the lab's Alertmanager.
    @Suite struct ObservabilityLabTests {
        typealias Commands = ProvisioningCommandTests
        static let prometheus = "http://10.77.0.13:9090"
        static let hookAddress = (host: "10.77.0.1", port: 18904)

        /// The webhook receiver (`scripts/test/alert-webhook`), writing what it gets to `file`.
        static func startHook(writingTo file: String) throws -> Process {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Repository.path("scripts/test/alert-webhook"))
            process.arguments = [Self.hookAddress.host, String(Self.hookAddress.port), file]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }

        /// A Prometheus HTTP API answer's `data`.
        static func api(_ path: String) async throws -> Any? {
            let result = try await ProcessRunner.run(
                "/usr/bin/curl",
                ["-sS", "--max-time", "5", "\(Self.prometheus)\(path)"],
                timeout: 15
            )
            let object = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            return object?["data"]
        }

        /// Every active target as `JOB INSTANCE HEALTH`, sorted.
        static func targets() async throws -> [String] {
            let data = try await Self.api("/api/v1/targets?state=active") as? [String: Any]
            let active = data?["activeTargets"] as? [[String: Any]] ?? []
            return active.map { target in
                let labels = target["labels"] as? [String: String] ?? [:]
                return "\(labels["job"] ?? "?") \(labels["instance"] ?? "?") \(target["health"] ?? "?")"
            }.sorted()
        }

        @Test func everyTargetIsUpAndAlertsReachTheWebhook() async throws {
            try await LabIntegrationTests.ensureLabUp()
            let received = FileManager.default.temporaryDirectory.appendingPathComponent("lurus-hook-\(UUID()).jsonl")
                .path
            let hook = try Self.startHook(writingTo: received)
            defer {
                // SIGKILL: a child of the test process may have SIGTERM blocked.
                kill(hook.processIdentifier, SIGKILL)
                try? FileManager.default.removeItem(atPath: received)
            }
            let up = try await Commands.lurusctl(["up", "-i", "inventory/lab.yaml", "--json"])
            #expect(up.status == 0, "\(up)")
            let again = try await Commands.lurusctl(["up", "-i", "inventory/lab.yaml", "--json"])
            let second = try Commands.summary(again.stdout)
            #expect(again.status == 0 && second["changed"] as? Int == 0, "second up changed something: \(again)")
            #expect(
                DataComponentsLabTests.unitLists(second, "restarts").isEmpty,
                "second up restarted something: \(again.stdout)"
            )

            let expected = [
                "alertmanager monitor:9093 up", "lurus-billing brain:18103 up", "lurus-gateway brain:18100 up",
                "lurus-log lab:18102 up", "lurus-provider brain:18101 up", "node brain:9100 up", "node heart:9100 up",
                "node lab:9100 up", "node monitor:9100 up", "postgres heart:9187 up", "prometheus monitor:9090 up",
                "redis heart:9121 up",
            ]
            var targets: [String] = []
            for _ in 0..<40 {
                targets = try await Self.targets()
                if targets == expected { break }
                try await Task.sleep(for: .milliseconds(500))
            }
            #expect(targets == expected, "Prometheus's targets")

            // The exporters reach their servers: PostgreSQL by peer as pg_monitor, Redis with its password.
            for (metric, job) in [("pg_up", "postgres"), ("redis_up", "redis")] {
                let answer = try await Self.api("/api/v1/query?query=\(metric)") as? [String: Any]
                let value = ((answer?["result"] as? [[String: Any]])?.first?["value"] as? [Any])?.last as? String
                #expect(value == "1", "\(metric) of job \(job): \(String(describing: answer))")
            }

            // Each service says which release it runs (LURUS_RELEASE from its deployment): one release, the
            // one deploy built, on all four.
            let builds = try await Self.api("/api/v1/query?query=lurus_build_info") as? [String: Any]
            let releases = ((builds?["result"] as? [[String: Any]]) ?? []).map { result in
                let labels = result["metric"] as? [String: String] ?? [:]
                return (labels["service"] ?? "?", labels["release"] ?? "?")
            }
            #expect(
                releases.map(\.0).sorted() == ["lurus-billing", "lurus-gateway", "lurus-logs", "lurus-provider"],
                "lurus_build_info: \(String(describing: builds))"
            )
            #expect(
                Set(releases.map(\.1)).count == 1
                    && releases.allSatisfy { $0.1.count == 12 && $0.1.allSatisfy(\.isHexDigit) },
                "\(releases)"
            )

            // The node exporters read the folder backup and health write to, not Debian's default.
            let textfile =
                try await Self.api(
                    "/api/v1/query?query=node_textfile_scrape_error%7Bjob%3D%22node%22%7D"
                ) as? [String: Any]
            #expect(
                (textfile?["result"] as? [Any])?.count == 4,
                "node_textfile_scrape_error of 4 nodes: \(String(describing: textfile))"
            )

            // Watchdog always fires, and the lab routes it to the hook: Prometheus evaluated the rules and
            // Alertmanager delivered.
            var watchdog: [String: Any]?
            for _ in 0..<120 where watchdog == nil {
                let lines = (try? String(contentsOfFile: received, encoding: .utf8))?.split(separator: "\n") ?? []
                for line in lines {
                    let entry = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                    let body = entry?["body"] as? [String: Any]
                    let labels = body?["commonLabels"] as? [String: String]
                    if labels?["alertname"] == "Watchdog" { watchdog = body }
                }
                if watchdog == nil { try await Task.sleep(for: .milliseconds(500)) }
            }
            let body = try #require(watchdog, "no Watchdog reached the webhook in 60 s")
            #expect(body["receiver"] as? String == "lab-hook")
            #expect(body["status"] as? String == "firing")
            #expect((body["commonLabels"] as? [String: String])?["cluster"] == "lurus-lab", "\(body)")
        }
    }
}

extension LabIntegrationTests.ObservabilityLabTests {
    /// Every query of every shipped Grafana dashboard, its variables set to all and `$__rate_interval` to
    /// a minute, returns data from the lab's Prometheus scraping the real gateway and nodes after a little
    /// traffic through the gateway to the fake upstream (answered, and one unknown model). One
    /// substitution: the root disk panel reads /tmp, since the lab's root is an overlay (see below).
    @Test func everyDashboardQueryReturnsData() async throws {
        try await LabIntegrationTests.ServiceDeployLabTests.labWithServices()
        for _ in 0..<3 {
            let asked = try await ProcessRunner.run(
                "/var/cache/lurusctl/venv/bin/python",
                [Repository.path("scripts/test/sdk-ask"), "http://10.77.0.11:18100/v1", "gpt-4o-mini"],
                environment: ["LURUS_CLIENT_KEY": "sk-lurus-lab-demo"],
                timeout: 60
            )
            #expect(asked.status == 0, "\(asked)")
        }
        let unknown = try await ProcessRunner.run(
            "/var/cache/lurusctl/venv/bin/python",
            [Repository.path("scripts/test/sdk-ask"), "http://10.77.0.11:18100/v1", "no-such-model"],
            environment: ["LURUS_CLIENT_KEY": "sk-lurus-lab-demo"],
            timeout: 60
        )
        #expect(unknown.stdout.contains("refused: HTTP 4"), "\(unknown)")

        var queries: [(dashboard: String, panel: String, expr: String)] = []
        for name in ["gateway", "nodes"] {
            let text = try String(
                contentsOfFile: Repository.path("templates/grafana/dashboards/\(name).json.mustache"),
                encoding: .utf8
            )
            let json = text.split(separator: "\n", maxSplits: 1)[1].replacingOccurrences(
                of: "<%datasource%>",
                with: "lurus-prometheus"
            )
            let dashboard = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            for panel in dashboard["panels"] as? [[String: Any]] ?? [] {
                for target in panel["targets"] as? [[String: Any]] ?? [] {
                    let expr = (target["expr"] as? String ?? "")
                        .replacingOccurrences(of: "$__rate_interval", with: "1m")
                        .replacingOccurrences(of: "$model", with: ".*")
                        .replacingOccurrences(of: "$provider", with: ".*")
                        .replacingOccurrences(of: "$node", with: ".*")
                        // The lab's root file system is an overlay, which the node exporter leaves out by
                        // default (production's is ext4 or xfs); /tmp, a tmpfs, stands in: same metrics.
                        .replacingOccurrences(of: "mountpoint=\"/\"", with: "mountpoint=\"/tmp\"")
                    queries.append((name, panel["title"] as? String ?? "?", expr))
                }
            }
        }
        #expect(queries.count >= 25)
        var empty = queries
        for _ in 0..<30 where !empty.isEmpty {
            var still: [(dashboard: String, panel: String, expr: String)] = []
            for query in empty {
                let encoded = query.expr.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                let data = try await Self.api("/api/v1/query?query=\(encoded)") as? [String: Any]
                if (data?["result"] as? [Any] ?? []).isEmpty { still.append(query) }
            }
            empty = still
            if !empty.isEmpty { try await Task.sleep(for: .seconds(1)) }
        }
        #expect(empty.isEmpty, "queries without data: \(empty.map { "\($0.dashboard) \($0.panel): \($0.expr)" })")
        // The variables' values come from the same metrics.
        for (label, metric) in [
            ("model", "lurus_gateway_requests_total"), ("provider", "lurus_gateway_provider_attempts_total"),
            ("node", "node_uname_info"),
        ] {
            let values = try await Self.api("/api/v1/label/\(label)/values?match%5B%5D=\(metric)") as? [String]
            #expect(!(values ?? []).isEmpty, "no values for $\(label)")
        }
    }
}
