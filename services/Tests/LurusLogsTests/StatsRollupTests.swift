import Foundation
import LLMWire
import LurusEvents
import Testing

@testable import LurusLogs

extension LogsServerTests {
    /// The hourly rollup `GET /api/v1/stats` reads, against a real ClickHouse 18.16: fed by every insert,
    /// not backfilled, and merged with the request log for hours stored before it existed, so the answer is
    /// the same as counting every row.
    @Suite(.timeLimit(.minutes(2))) struct StatsRollupTests {
        static func totals(
            _ fixture: LogsFixture,
            _ query: StatsQuery,
            rollupStart: Int64?
        ) async throws
            -> [String]
        {
            let answer = try await fixture.client().query(
                query.sql(rollupStart: rollupStart),
                settings: ["output_format_json_quote_64bit_integers": "0"]
            )
            return try LogRendering.rows(String(buffer: answer)).map { row in
                let bucket = LogRendering.bucket(row, query: query)
                return [
                    "start", "model", "requests", "errors", "input_tokens", "output_tokens", "cache_read_tokens",
                    "cost_usd",
                ].map { "\(bucket[$0] ?? .null)" }.joined(separator: " ")
            }
        }

        @Test func rowsFromBeforeTheRollupAreReadFromTheLogAndLaterOnesFromTheRollupCountedOnce() async throws {
            let fixture = try await LogsFixture.start()
            let migrator = LogSchemaMigrator(client: fixture.client(), logger: LogsFixture.logger)
            let writer = LogWriter(client: fixture.client())
            #expect(try await migrator.migrate(Array(LogMigrations.all.prefix(1))) == [1])
            // Before the rollup: 100 requests at 10:xx.
            let before = (0..<100).map { LogsFixture.record($0) }
            _ = try await writer.write(before.compactMap(LogRow.init))
            #expect(try await migrator.migrate() == [2])
            let start = try #require(try await migrator.rollupStart())
            #expect(start == 1_796_209_200, "11:00, the hour after the last row stored before the rollup")

            // After: 30 late requests at 10:xx (an hour read from the log) and 40 at 12:xx (from the rollup).
            let late = (100..<130).map { LogsFixture.record($0) }
            let later = (130..<170).map { index in
                LogsFixture.record(
                    index,
                    model: "claude-test",
                    outcome: index % 4 == 0 ? .upstreamError : .ok,
                    startedAt: String(format: "2026-12-02T12:%02d:00.000Z", index - 130)
                )
            }
            // And 20 the next day (a whole day of a query by day, from the daily rollup).
            let nextDay = (170..<190).map { index in
                LogsFixture.record(index, startedAt: String(format: "2026-12-03T09:%02d:00.000Z", index - 170))
            }
            _ = try await writer.write((late + later + nextDay).compactMap(LogRow.init))
            #expect(
                try fixture.scalar("SELECT countMerge(request_count) FROM lurus_logs.request_stats_hourly") == "90",
                "the rollup holds what was stored after it existed, and nothing was backfilled"
            )

            let parameters = try QueryParameters(
                [
                    ("interval", "hour"), ("group_by", "model"), ("from", "2026-12-02T00:00:00Z"),
                    ("to", "2026-12-03T00:00:00Z"),
                ],
                allowed: StatsQuery.parameters
            )
            let query = try StatsQuery(parameters, nowMs: 1_796_256_000_000)
            let everyRow = try await Self.totals(fixture, query, rollupStart: nil)
            let split = try await Self.totals(fixture, query, rollupStart: start)
            #expect(everyRow.count == 2 && everyRow[0].hasPrefix("\"2026-12-02T10:00:00.000Z\" \"gpt-test\" 130 "))
            #expect(everyRow[1].hasPrefix("\"2026-12-02T12:00:00.000Z\" \"claude-test\" 40 10 "), "\(everyRow)")
            #expect(split == everyRow, "read across the boundary, the same totals as counting every row")
            let rollupOnly = try await Self.totals(fixture, query, rollupStart: 0)
            #expect(rollupOnly[0].hasPrefix("\"2026-12-02T10:00:00.000Z\" \"gpt-test\" 30 "), "why the boundary")

            #expect(
                try fixture.scalar("SELECT countMerge(request_count) FROM lurus_logs.request_stats_daily") == "90"
            )
            let byDay = try StatsQuery(
                try QueryParameters(
                    [
                        ("interval", "day"), ("group_by", "model"), ("from", "2026-12-01T05:00:00Z"),
                        ("to", "2026-12-04T07:00:00Z"),
                    ],
                    allowed: StatsQuery.parameters
                ),
                nowMs: 1_796_256_000_000
            )
            #expect(byDay.sql(rollupStart: start).contains("FROM request_stats_daily"))
            let daily = try await Self.totals(fixture, byDay, rollupStart: start)
            #expect(daily == (try await Self.totals(fixture, byDay, rollupStart: nil)))
            #expect(daily.count == 3 && daily[0].hasPrefix("\"2026-12-02T00:00:00.000Z\" \"claude-test\" 40 10 "))
            #expect(daily[1].hasPrefix("\"2026-12-02T00:00:00.000Z\" \"gpt-test\" 130 "), "\(daily)")
            #expect(daily[2].hasPrefix("\"2026-12-03T00:00:00.000Z\" \"gpt-test\" 20 "), "\(daily)")

            // Repeats of stored requests are not inserted, so the rollup does not count them.
            _ = try await writer.write(later.compactMap(LogRow.init))
            #expect(try await Self.totals(fixture, query, rollupStart: start) == everyRow)
        }

        @Test func aRangeIsCountedInWholeHours() throws {
            let parameters = try QueryParameters(
                [("from", "2026-12-02T10:30:00Z"), ("to", "2026-12-02T12:00:01Z")],
                allowed: StatsQuery.parameters
            )
            let query = try StatsQuery(parameters, nowMs: 1_796_256_000_000)
            #expect(query.filter.fromMs == 1_796_205_600_000, "10:00")
            #expect(query.filter.toMs == 1_796_216_400_000, "13:00")
            let sql = query.sql(rollupStart: 1_796_209_200)
            #expect(
                sql.contains(
                    "FROM request_log WHERE time >= toDateTime(1796205600, 'UTC') AND time < toDateTime(1796209200, 'UTC')"
                )
            )
            #expect(
                sql.contains(
                    "FROM request_stats_hourly WHERE hour >= toDateTime(1796209200, 'UTC') AND hour < toDateTime(1796216400, 'UTC')"
                )
            )
            #expect(!query.sql(rollupStart: 0).contains("FROM request_log"), "all from the rollup")
            #expect(!query.sql(rollupStart: nil).contains("request_stats_hourly"), "no rollup yet")
            // By day from 2026-12-01T05:00 to 2026-12-03T07:00, the rollups from 2026-12-01T10:00: the log
            // before, hours to midnight, one whole day (12-02), hours after.
            let byDay = try StatsQuery(
                try QueryParameters(
                    [("interval", "day"), ("from", "2026-12-01T05:00:00Z"), ("to", "2026-12-03T07:00:00Z")],
                    allowed: StatsQuery.parameters
                ),
                nowMs: 1_796_256_000_000
            )
            let parts = byDay.sql(rollupStart: 1_796_119_200)
            for part in [
                "FROM request_log WHERE time >= toDateTime(1796101200, 'UTC') AND time < toDateTime(1796119200, 'UTC')",
                "FROM request_stats_hourly WHERE hour >= toDateTime(1796119200, 'UTC') AND hour < toDateTime(1796169600, 'UTC')",
                "FROM request_stats_daily WHERE hour >= toDateTime(1796169600, 'UTC') AND hour < toDateTime(1796256000, 'UTC')",
                "FROM request_stats_hourly WHERE hour >= toDateTime(1796256000, 'UTC') AND hour < toDateTime(1796281200, 'UTC')",
            ] {
                #expect(parts.contains(part), "\(part)")
            }
        }
    }
}
