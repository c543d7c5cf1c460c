import Foundation
import LurusTestSupport
import Testing

extension LabIntegrationTests {
    /// The whole mission on the lab, end to end: `up` brings the components, the observability stack and
    /// the services up; the official OpenAI and Anthropic SDKs send requests (streaming and not) through
    /// the gateway on brain to the fake upstream; billing charges the key exactly what the log service
    /// records for them; Prometheus has scraped them; `backup` succeeds and `health` then says OK; the
    /// gateway stopped makes health CRITICAL naming it and ServiceDown reach the webhook; `restore --drill`
    /// succeeds.
    @Suite struct MissionLabTests {
        typealias Serving = ServicesServingLabTests
        typealias Observability = ObservabilityLabTests

        struct Sent: Decodable {
            var sdk: String
            var stream: Bool
            var request_id: String
            var text: String
            var input_tokens: Int
            var output_tokens: Int
        }

        /// A PromQL query's first value, if any.
        static func value(_ query: String) async throws -> Double? {
            let encoded = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? query
            let data = try await Observability.api("/api/v1/query?query=\(encoded)") as? [String: Any]
            let result = (data?["result"] as? [[String: Any]])?.first
            return ((result?["value"] as? [Any])?.last as? String).flatMap(Double.init)
        }

        @Test func upTrafficBillingLogsMetricsHealthAlertsBackupAndDrill() async throws {
            try await ServiceDeployLabTests.labWithServices()
            try await LabBackupStore.start()
            let received = FileManager.default.temporaryDirectory.appendingPathComponent(
                "lurus-mission-\(UUID()).jsonl"
            )
            .path
            let hook = try Observability.startHook(writingTo: received)
            defer {
                kill(hook.processIdentifier, SIGKILL)
                try? FileManager.default.removeItem(atPath: received)
            }

            // Traffic with the official SDKs, each streaming and not.
            let balanceBefore = try await Serving.balance()
            let requestsBefore = try await Self.value("sum(lurus_gateway_requests_total)") ?? 0
            let traffic = try await ProcessRunner.run(
                Serving.python,
                [Repository.path("scripts/test/mission-traffic"), "http://10.77.0.11:18100"],
                environment: ["LURUS_CLIENT_KEY": "sk-lurus-lab-demo"],
                timeout: 120
            )
            try #require(traffic.status == 0, "\(traffic)")
            let sent = try traffic.stdout.split(separator: "\n").map {
                try JSONDecoder().decode(Sent.self, from: Data($0.utf8))
            }
            #expect(
                sent.map { "\($0.sdk) \($0.stream)" } == [
                    "openai false", "openai true", "anthropic false", "anthropic true",
                ]
            )
            #expect(
                sent.allSatisfy { $0.text == "Hello from fake!" && $0.input_tokens > 0 && $0.output_tokens > 0 },
                "\(sent)"
            )

            // Each request is in the log service once, with the tokens its client was told.
            var records: [String: [String: Any]] = [:]
            for _ in 0..<60 where records.count < sent.count {
                let page = try await Serving.admin("http://10.77.0.14:18102/api/v1/logs?key=lab&limit=1000")
                for record in page["data"] as? [[String: Any]] ?? [] {
                    if let id = record["request_id"] as? String, sent.contains(where: { $0.request_id == id }) {
                        records[id] = record
                    }
                }
                if records.count < sent.count { try await Task.sleep(for: .milliseconds(500)) }
            }
            try #require(records.count == sent.count, "logged: \(records.keys.sorted()) of \(sent.map(\.request_id))")
            var charged: Int64 = 0
            for request in sent {
                let record = try #require(records[request.request_id])
                // OpenAI's prompt count includes the cached tokens; Anthropic's input_tokens, like the record,
                // keeps them apart.
                let cached = request.sdk == "openai" ? record["cache_read_tokens"] as? Int ?? 0 : 0
                let input = (record["input_tokens"] as? Int ?? 0) + cached
                #expect(
                    input == request.input_tokens && record["output_tokens"] as? Int == request.output_tokens,
                    "\(request.sdk) stream \(request.stream): \(record)"
                )
                let nanos = try #require((record["cost_usd"] as? String).flatMap { Serving.fixed($0, decimals: 9) })
                charged += (nanos + 500) / 1000
            }

            // Billing charged exactly those costs (each rounded to the micro-dollar), once.
            var balanceAfter = balanceBefore
            for _ in 0..<60 where balanceBefore - balanceAfter < charged {
                balanceAfter = try await Serving.balance()
                if balanceBefore - balanceAfter < charged { try await Task.sleep(for: .milliseconds(500)) }
            }
            #expect(
                balanceBefore - balanceAfter == charged,
                "charged \(balanceBefore - balanceAfter) µ$, logged \(charged) µ$"
            )

            // Prometheus scraped them.
            var counted = 0.0
            for _ in 0..<40 where counted < Double(sent.count) {
                counted = (try await Self.value("sum(lurus_gateway_requests_total)") ?? 0) - requestsBefore
                if counted < Double(sent.count) { try await Task.sleep(for: .milliseconds(500)) }
            }
            #expect(counted >= Double(sent.count), "Prometheus counted \(counted) more requests")

            // A backup: it succeeds. It comes before health, since a cluster never backed up is rightly a
            // warning ("no backup of postgres yet"), and the lab may be fresh here (LabLifecycleTests).
            let backup = try await BackupLabTests.lurusctl(["backup"])
            #expect(backup.status == 0, "\(backup)")

            // Health says OK.
            let healthy = try await BackupLabTests.lurusctl(["health"], timeout: 60)
            #expect(healthy.status == 0 && healthy.stdout.hasPrefix("LURUS OK - "), "\(healthy)")

            // The gateway stopped: health CRITICAL naming it, and ServiceDown reaches the webhook.
            let units = try await HealthLabTests.stopGateway()
            let down = try await BackupLabTests.lurusctl(["health", "--quiet"], timeout: 60)
            var alert: [String: Any]?
            for _ in 0..<120 where alert == nil {
                let lines = (try? String(contentsOfFile: received, encoding: .utf8))?.split(separator: "\n") ?? []
                for line in lines {
                    let body =
                        (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["body"]
                        as? [String: Any]
                    let labels = body?["commonLabels"] as? [String: String]
                    if labels?["alertname"] == "ServiceDown", labels?["job"] == "lurus-gateway",
                        body?["status"] as? String == "firing"
                    {
                        alert = body
                    }
                }
                if alert == nil { try await Task.sleep(for: .milliseconds(500)) }
            }
            _ = try await BackupLabTests.ssh("brain", "systemctl start \(units)")
            #expect(down.status == 2, "\(down)")
            #expect(down.stdout.contains("CRITICAL brain service.gateway: "), "\(down.stdout)")
            #expect(alert != nil, "no firing ServiceDown for lurus-gateway reached the webhook in 60 s")
            #expect((alert?["commonLabels"] as? [String: String])?["instance"] == "brain:18100")

            // A drill restores that backup: it succeeds.
            let drill = try await BackupLabTests.lurusctl(["restore", "--drill"])
            #expect(drill.status == 0, "\(drill)")

            // And the cluster is back to OK.
            var again: ProcessRunner.Result?
            for _ in 0..<30 {
                again = try await BackupLabTests.lurusctl(["health", "--quiet"], timeout: 60)
                if again?.status == 0 { break }
                try await Task.sleep(for: .seconds(1))
            }
            #expect(again?.status == 0, "\(String(describing: again))")
        }
    }
}
