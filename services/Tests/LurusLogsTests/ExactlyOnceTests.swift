import Foundation
import TestServers
import Testing

@testable import LurusLogs

extension LogsServerTests {
    /// The exactly-once proof with the real `lurus-logs`: killed with SIGKILL while ClickHouse runs one of its
    /// inserts, NATS restarted, started again, then every event published once more as a gateway's spool
    /// replayed after the stream's duplicate window (no message ids for the stream to catch them). Every query
    /// then sees each request once: count() = uniqExact(request_id) = the requests, and the sums are theirs.
    @Suite(.timeLimit(.minutes(3))) struct ExactlyOnceTests {
        static let events = 20_000

        @Test func killedMidInsertNATSRestartedAndEverythingReplayedStoresEachRequestOnce() async throws {
            let fixture = try await LogsFixture.start()
            let records = (0..<Self.events).map { LogsFixture.record($0) }
            try await fixture.publish(records)
            let environment = fixture.environment(["INGEST_BATCH_ROWS": "2000", "INGEST_ACK_WAIT_SECONDS": "5"])

            // 1. Kill it while an insert into request_log is running on the server.
            let first = try await ServiceProcess.start(
                "lurus-logs",
                environment: environment,
                directory: fixture.directory
            )
            var killedMidInsert = false
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline, !killedMidInsert {
                let running = try fixture.scalar(
                    "SELECT count() FROM system.processes WHERE query LIKE 'INSERT INTO request_log%'"
                )
                if running != "0" {
                    first.kill()
                    killedMidInsert = true
                }
            }
            #expect(killedMidInsert, "an insert was seen running and the service killed in it")
            let atKill = Int(try fixture.scalar("SELECT count() FROM lurus_logs.request_log")) ?? -1
            #expect(atKill < Self.events, "killed before the end (\(atKill) stored)")

            // 2. NATS restarts (its store survives); 3. the service starts again and finishes.
            try await fixture.nats.restart()
            let second = try await ServiceProcess.start(
                "lurus-logs",
                environment: environment,
                directory: fixture.directory
            )
            try await waitUntil("every event stored", seconds: 90) {
                try fixture.scalar("SELECT count() FROM lurus_logs.request_log") == "\(Self.events)"
            }

            // 4. The whole stream again, as a spool replayed after the duplicate window.
            try await fixture.publish(records, withIDs: false)
            try await waitUntil("the replay consumed", seconds: 90) {
                try await fixture.pending() == (0, 0)
            }
            second.kill()

            try IngestTests.expectExactlyOnce(fixture, records)
            #expect(
                try fixture.scalar(
                    "SELECT count() FROM (SELECT request_id, count() AS copies FROM lurus_logs.request_log GROUP BY request_id HAVING copies > 1)"
                ) == "0",
                "no request id twice, before any merge"
            )
        }
    }
}
