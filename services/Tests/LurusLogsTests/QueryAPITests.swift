import Foundation
import Hummingbird
import HummingbirdTesting
import LLMWire
import LurusEvents
import Testing

@testable import LurusLogs

extension LogsServerTests {
    /// `GET /api/v1/logs` and `/api/v1/stats` over rows in a real ClickHouse 18.16: filters, pages, totals
    /// and quantiles, authentication, and 400s naming the parameter.
    @Suite(.timeLimit(.minutes(2))) struct QueryAPITests {
        static let admin: HTTPFields = [.authorization: "Bearer \(LogsFixture.adminToken)"]

        /// 300 requests on 2026-12-02 10:00–10:59 (team-a, gpt-test), 60 more at 11:xx (team-b, claude-test, a
        /// third of them failed), stored through the writer.
        static func withAPI(
            _ body: @Sendable (LogsFixture, [UsageRecord], any TestClientProtocol) async throws -> Void
        ) async throws {
            let fixture = try await LogsFixture.start()
            let service = LogService(configuration: try fixture.configuration(), logger: LogsFixture.logger)
            try await service.migrate(within: .seconds(20))
            var records = (0..<300).map { LogsFixture.record($0) }
            records += (300..<360).map { index in
                LogsFixture.record(
                    index,
                    key: "team-b",
                    model: "claude-test",
                    outcome: index % 3 == 0 ? .upstreamError : .ok,
                    startedAt: String(format: "2026-12-02T11:%02d:00.000Z", index - 300)
                )
            }
            _ = try await LogWriter(client: fixture.client()).write(records.compactMap(LogRow.init))
            let stored = records
            try await Application(router: service.router()).test(.router) { client in
                try await body(fixture, stored, client)
            }
        }

        static func json(_ response: TestResponse) throws -> JSONValue {
            try JSONValue.parse(response.body.readableBytesView)
        }

        @Test func logsAreNewestFirstFilteredAndPagedWithoutGapsOrRepeats() async throws {
            try await Self.withAPI { _, records, client in
                var seen: [String] = []
                var uri = "/api/v1/logs?key=team-a&limit=128&from=2026-12-02T10:00:00Z&to=2026-12-02T11:00:00Z"
                var pages = 0
                while true {
                    let page = try await client.execute(uri: uri, method: .get, headers: Self.admin)
                    #expect(page.status == .ok)
                    let body = try Self.json(page)
                    let data = try #require(body["data"]?.arrayValue)
                    seen += data.compactMap { $0["request_id"]?.stringValue }
                    pages += 1
                    guard let cursor = body["next_cursor"]?.stringValue else { break }
                    uri =
                        "/api/v1/logs?key=team-a&limit=128&from=2026-12-02T10:00:00Z&to=2026-12-02T11:00:00Z&cursor=\(cursor)"
                }
                #expect(pages == 3)
                let teamA = records.filter { $0.keyId == "team-a" }
                #expect(seen.count == teamA.count && Set(seen) == Set(teamA.map(\.requestId)), "every row once")
                let times = teamA.sorted { ($0.startedAt, $0.requestId) > ($1.startedAt, $1.requestId) }.map(
                    \.requestId
                )
                #expect(seen == times, "newest first")

                let one = try Self.json(
                    try await client.execute(
                        uri: "/api/v1/logs?outcome=upstream_error&limit=1",
                        method: .get,
                        headers: Self.admin
                    )
                )
                let row = try #require(one["data"]?[0])
                let source = try #require(records.first { $0.requestId == row["request_id"]?.stringValue })
                #expect(
                    row["outcome"] == "upstream_error" && row["key_id"] == "team-b" && row["user_id"] == "user-team-b"
                )
                #expect(row["started_at"]?.stringValue == source.startedAt)
                #expect(row["cost_usd"]?.stringValue == String(format: "%.9f", source.costUsd))
                #expect(row["input_tokens"]?.intValue == source.inputTokens)
                #expect(row["error"] == "upstream said no" && row["stream"]?.boolValue == source.stream)
            }
        }

        @Test func statsByHourAndModelHaveTheRightTotalsAndQuantiles() async throws {
            try await Self.withAPI { _, records, client in
                let answer = try await client.execute(
                    uri: "/api/v1/stats?interval=hour&group_by=model&from=2026-12-02T00:00:00Z&to=2026-12-03T00:00:00Z",
                    method: .get,
                    headers: Self.admin
                )
                #expect(answer.status == .ok, "\(String(buffer: answer.body))")
                let buckets = try #require(try Self.json(answer)["buckets"]?.arrayValue)
                #expect(buckets.count == 2)
                for (bucket, model, hour) in [(buckets[0], "gpt-test", "10"), (buckets[1], "claude-test", "11")] {
                    let rows = records.filter { $0.model == model }
                    #expect(bucket["model"]?.stringValue == model)
                    #expect(bucket["start"]?.stringValue == "2026-12-02T\(hour):00:00.000Z")
                    #expect(bucket["requests"]?.intValue == rows.count)
                    #expect(bucket["errors"]?.intValue == rows.filter { $0.outcome != .ok }.count)
                    #expect(bucket["input_tokens"]?.intValue == rows.reduce(0) { $0 + $1.inputTokens })
                    #expect(bucket["output_tokens"]?.intValue == rows.reduce(0) { $0 + $1.outputTokens })
                    #expect(bucket["cache_read_tokens"]?.intValue == rows.reduce(0) { $0 + $1.cacheReadTokens })
                    let nanos = rows.reduce(Int64(0)) { $0 + LogRow.nanoDollars($1.costUsd) }
                    #expect(
                        bucket["cost_usd"]?.stringValue
                            == String(format: "%lld.%09lld", nanos / 1_000_000_000, nanos % 1_000_000_000)
                    )
                    let latencies = rows.map(\.latencyMs).sorted()
                    let p50 = try #require(bucket["latency_ms"]?["p50"]?.doubleValue)
                    let exact = latencies[latencies.count / 2]
                    #expect(abs(p50 - exact) <= 0.05 * exact, "p50 \(p50) near \(exact)")
                    let p99 = try #require(bucket["latency_ms"]?["p99"]?.doubleValue)
                    #expect(p99 >= p50 && p99 <= latencies.last! + 1)
                }
                #expect(buckets[1]["outcomes"]?["upstream_error"]?.intValue == 20)
                #expect(buckets[1]["outcomes"]?["ok"]?.intValue == 40)

                let daily = try Self.json(
                    try await client.execute(
                        uri: "/api/v1/stats?interval=day&from=2026-12-01T00:00:00Z&to=2026-12-04T00:00:00Z",
                        method: .get,
                        headers: Self.admin
                    )
                )
                let days = try #require(daily["buckets"]?.arrayValue)
                #expect(
                    days.count == 1 && days[0]["requests"]?.intValue == records.count
                        && days[0]["start"] == "2026-12-02T00:00:00.000Z"
                )
                #expect(daily["group_by"] == .null)
            }
        }

        @Test func badParametersAre400sNamingThemAndNoTokenIs401() async throws {
            try await Self.withAPI { _, _, client in
                let cases: [(String, String, String)] = [
                    ("/api/v1/logs?limit=0", "limit", "from 1 to 1000"),
                    ("/api/v1/logs?limit=lots", "limit", "not a whole number"),
                    ("/api/v1/logs?from=yesterday", "from", "ISO 8601"),
                    ("/api/v1/logs?from=2026-12-03T00:00:00Z&to=2026-12-02T00:00:00Z", "from", "before to"),
                    ("/api/v1/logs?outcome=fine", "outcome", "client_error"),
                    ("/api/v1/logs?modle=gpt", "modle", "not a parameter"),
                    ("/api/v1/logs?cursor=abc", "cursor", "next_cursor"),
                    ("/api/v1/logs?key=a&key=b", "key", "2 times"),
                    ("/api/v1/stats?interval=week", "interval", "hour, day"),
                    ("/api/v1/stats?group_by=color", "group_by", "key, user, model, provider"),
                    (
                        "/api/v1/stats?interval=hour&from=2026-01-01T00:00:00Z&to=2026-12-01T00:00:00Z", "from",
                        "interval=day"
                    ),
                ]
                for (uri, parameter, words) in cases {
                    let answer = try await client.execute(uri: uri, method: .get, headers: Self.admin)
                    #expect(answer.status == .badRequest, "\(uri)")
                    let error = try Self.json(answer)["error"]
                    #expect(error?["parameter"]?.stringValue == parameter, "\(uri): \(String(describing: error))")
                    #expect(
                        error?["message"]?.stringValue?.contains(words) == true,
                        "\(uri): \(String(describing: error))"
                    )
                }
                let anonymous = try await client.execute(uri: "/api/v1/logs", method: .get)
                #expect(anonymous.status == .unauthorized)
                let wrong = try await client.execute(
                    uri: "/api/v1/stats",
                    method: .get,
                    headers: [.authorization: "Bearer not-the-token"]
                )
                #expect(wrong.status == .unauthorized)
                // A quote in a filter is a value, not SQL.
                let quoted = try await client.execute(
                    uri: "/api/v1/logs?key=a'%20OR%201=1%20--",
                    method: .get,
                    headers: Self.admin
                )
                #expect(quoted.status == .ok)
                #expect(try Self.json(quoted)["data"]?.arrayValue?.isEmpty == true)
            }
        }

        @Test func clickHouseAwayIsA503SayingSoAndHealthFails() async throws {
            try await Self.withAPI { fixture, _, client in
                fixture.clickHouse.stop()
                let answer = try await client.execute(uri: "/api/v1/logs", method: .get, headers: Self.admin)
                #expect(answer.status == .serviceUnavailable)
                #expect(try Self.json(answer)["error"]?["message"]?.stringValue?.contains("does not answer") == true)
                let health = try await client.execute(uri: "/health", method: .get)
                #expect(health.status == .serviceUnavailable)
                let checks = try Self.json(health)["checks"]
                #expect(checks?["clickhouse"]?["ok"] == false)
                #expect(checks?["clickhouse"]?["detail"]?.stringValue?.contains("password") == false)
            }
        }
    }
}
