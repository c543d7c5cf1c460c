import Foundation
import LurusTestSupport
import Testing

extension LabIntegrationTests {
    /// After `up`, the four services serve together as the inventory places them: the gateway on brain
    /// routes by the catalog the provider service was provisioned with, billing (provisioned with the
    /// lab's key and its credit) charges the request, and the log service on lab has its record.
    @Suite(.serialized) struct ServicesServingLabTests {
        static let python = "/var/cache/lurusctl/venv/bin/python"

        /// The admin token `up` generated, from the lab's secret store (it never goes on a command line).
        static func adminToken() throws -> String {
            let path = Repository.path("inventory/.lurus/lurus-lab/secrets/admin/token")
            return try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// An admin API answer, as JSON.
        static func admin(_ url: String) async throws -> [String: Any] {
            let result = try await ProcessRunner.run(
                Self.python,
                [Repository.path("scripts/test/admin-get"), url],
                environment: ["LURUS_ADMIN_TOKEN": try Self.adminToken()],
                timeout: 30
            )
            try #require(result.status == 0, "GET \(url): \(result)")
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            return try #require(object, "GET \(url) answered no JSON object: \(result.stdout)")
        }

        /// `name=value` from sdk-ask's line.
        static func field(_ name: String, in line: String) -> String? {
            line.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("\(name)=") }
                .map { String($0.dropFirst(name.count + 1)) }
        }

        /// The lab user's balance in micro-dollars, from billing's admin API.
        static func balance() async throws -> Int64 {
            let user = try await Self.admin("http://10.77.0.11:18103/api/v1/users/lab")
            let text = try #require(user["balance"] as? String, "\(user)")
            return try #require(Self.micros(text), "balance \(text)")
        }

        /// "12.345" as micro-dollars.
        static func micros(_ text: String) -> Int64? { Self.fixed(text, decimals: 6) }

        /// A decimal string as an integer count of 10^-decimals units; nil when it has more decimals.
        static func fixed(_ text: String, decimals: Int) -> Int64? {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            guard let whole = Int64(parts[0]) else { return nil }
            let fraction = parts.count > 1 ? String(parts[1]) : ""
            guard fraction.count <= decimals,
                let digits = Int64(fraction.padding(toLength: decimals, withPad: "0", startingAt: 0))
            else { return nil }
            var scale: Int64 = 1
            for _ in 0..<decimals { scale *= 10 }
            return whole * scale + digits
        }

        @Test func aRequestIsRoutedByTheProvisionedCatalogChargedByBillingAndLoggedOnLab() async throws {
            try await ServiceDeployLabTests.labWithServices()

            // The provider service holds the inventory's catalog, created by its provision file.
            let providers = try await Self.admin("http://10.77.0.11:18101/api/v1/providers")
            let names = (providers["providers"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(names == ["fake"], "\(providers)")
            let changes = try await Self.admin("http://10.77.0.11:18101/api/v1/changes")
            let creators = Set((changes["changes"] as? [[String: Any]] ?? []).compactMap { $0["who"] as? String })
            #expect(creators.contains("provision-file"), "\(changes)")
            // Billing holds the lab's key and its user, with the initial credit given once (100 USD at most).
            let keys = try await Self.admin("http://10.77.0.11:18103/api/v1/users/lab/keys")
            #expect((keys["keys"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String } == ["lab"], "\(keys)")
            let before = try await Self.balance()
            #expect(before > 0 && before <= 100_000_000, "balance \(before)")

            // One request through the gateway, answered by the fake upstream.
            let answer = try await ServiceDeployLabTests.ask()
            #expect(answer.stdout.contains("answer='Hello from fake!'"), "\(answer)")
            let requestID = try #require(Self.field("request_id", in: answer.stdout), "\(answer)")
            let promptTokens = try #require(Self.field("prompt_tokens", in: answer.stdout).flatMap { Int($0) })
            let outputTokens = try #require(Self.field("completion_tokens", in: answer.stdout).flatMap { Int($0) })

            // Its record reaches ClickHouse through NATS and the log service on lab (batches wait up to 1 s).
            var record: [String: Any]?
            for _ in 0..<60 where record == nil {
                let page = try await Self.admin("http://10.77.0.14:18102/api/v1/logs?key=lab&limit=1000")
                record = (page["data"] as? [[String: Any]] ?? []).first { $0["request_id"] as? String == requestID }
                if record == nil { try await Task.sleep(for: .milliseconds(500)) }
            }
            let stored = try #require(record, "request \(requestID) never appeared in the log service's /api/v1/logs")
            // The catalog's name for the alias the client asked for.
            #expect(stored["provider"] as? String == "fake" && stored["model"] as? String == "lab-model", "\(stored)")
            #expect(stored["outcome"] as? String == "ok" && stored["user_id"] as? String == "lab", "\(stored)")
            // OpenAI's prompt count includes the cached tokens; the record keeps them apart.
            let input = (stored["input_tokens"] as? Int ?? 0) + (stored["cache_read_tokens"] as? Int ?? 0)
            #expect(input == promptTokens && stored["output_tokens"] as? Int == outputTokens, "\(stored)")
            // The log keeps the cost in nano-dollars; billing charges it rounded to the micro-dollar.
            let nanos = try #require((stored["cost_usd"] as? String).flatMap { Self.fixed($0, decimals: 9) })
            #expect(nanos > 0, "the catalog prices lab-model: \(stored)")
            let cost = (nanos + 500) / 1000

            // Billing settles the same event: the balance falls by exactly the logged cost.
            var after = before
            for _ in 0..<60 where after == before {
                after = try await Self.balance()
                if after == before { try await Task.sleep(for: .milliseconds(500)) }
            }
            #expect(before - after == cost, "billing charged \(before - after) µ$, the log says \(nanos) n$")
        }
    }
}
