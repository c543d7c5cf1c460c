import Foundation
import LurusEvents
import TestServers
import Testing

@testable import LurusLogs

extension LogsServerTests {
    /// The ingest in-process against real ClickHouse 18.16 and nats-server: each request stored once through
    /// repeats the stream cannot catch, and ClickHouse away for a while losing nothing.
    @Suite(.timeLimit(.minutes(3))) struct IngestTests {
        /// Runs the service's ingest (after its migrations) while `body` runs.
        static func withIngest(
            _ fixture: LogsFixture,
            settings: [String: String] = [:],
            _ body: (LogIngest) async throws -> Void
        ) async throws {
            let service = LogService(configuration: try fixture.configuration(settings), logger: LogsFixture.logger)
            try await service.migrate(within: .seconds(20))
            let ingest = try #require(service.ingest)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await ingest.run() }
                try await body(ingest)
                group.cancelAll()
            }
        }

        static func expectExactlyOnce(_ fixture: LogsFixture, _ records: [UsageRecord]) throws {
            let distinct = Dictionary(records.map { ($0.requestId, $0) }) { first, _ in first }
            let count = distinct.count
            #expect(
                try fixture.scalar("SELECT count(), uniqExact(request_id) FROM lurus_logs.request_log")
                    == "\(count)\t\(count)"
            )
            let nanos = distinct.values.reduce(Int64(0)) { $0 + LogRow.nanoDollars($1.costUsd) }
            #expect(
                try fixture.scalar("SELECT toString(sum(cost)) FROM lurus_logs.request_log")
                    == String(format: "%lld.%09lld", nanos / 1_000_000_000, nanos % 1_000_000_000),
                "Σ cost = Σ of distinct requests' costs, to the nano-dollar"
            )
            let tokens = distinct.values.reduce(0) { $0 + $1.inputTokens }
            #expect(try fixture.scalar("SELECT sum(input_tokens) FROM lurus_logs.request_log") == "\(tokens)")
        }

        @Test func repeatsTheStreamCannotCatchAreStoredOnce() async throws {
            let fixture = try await LogsFixture.start()
            let records = (0..<3000).map { LogsFixture.record($0) }
            try await fixture.publish(records)
            // A gateway's spool replayed after the stream's duplicate window: the stream keeps these.
            try await fixture.publish(Array(records[1000..<1500]), withIDs: false)
            try await Self.withIngest(fixture, settings: ["INGEST_BATCH_ROWS": "700"]) { ingest in
                try await waitUntil("the stream consumed") {
                    let pending = try await fixture.pending()
                    return pending == (0, 0) && ingest.state.insertedTotal == 3000
                }
                // And once more while it runs, in a batch of its own.
                try await fixture.publish(Array(records[0..<200]), withIDs: false)
                try await waitUntil("the second replay consumed") { try await fixture.pending() == (0, 0) }
            }
            try Self.expectExactlyOnce(fixture, records)
        }

        @Test func clickHouseAwayNothingIsAcknowledgedNothingLostThenItCatchesUp() async throws {
            let fixture = try await LogsFixture.start()
            let records = (0..<2000).map { LogsFixture.record($0) }
            try await Self.withIngest(
                fixture,
                settings: [
                    "INGEST_ACK_WAIT_SECONDS": "5", "INGEST_MAXIMUM_BACKOFF_SECONDS": "2",
                    "CLICKHOUSE_QUERY_TIMEOUT_SECONDS": "3",
                ]
            ) { ingest in
                try await fixture.publish(Array(records[0..<1000]))
                try await waitUntil("the first half stored") { ingest.state.insertedTotal == 1000 }

                fixture.clickHouse.stop()
                try await fixture.publish(Array(records[1000...]))
                try await waitUntil("the failure seen") { ingest.state.clickHouseError != nil }
                #expect(ingest.state.clickHouseError?.contains("does not answer") == true, "\(ingest.state)")
                // Past the ack wait: the batch in hand is delivered again meanwhile, and still not acknowledged.
                try await Task.sleep(for: .seconds(7))
                let pending = try await fixture.pending()
                #expect(pending.undelivered + pending.unacknowledged == 1000, "nothing acknowledged: \(pending)")

                try await fixture.clickHouse.start()
                try await waitUntil("caught up") {
                    try await fixture.pending() == (0, 0) && ingest.state.clickHouseError == nil
                }
            }
            try Self.expectExactlyOnce(fixture, records)
        }
    }
}
