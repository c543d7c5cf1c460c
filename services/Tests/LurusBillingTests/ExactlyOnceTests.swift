import EventTestSupport
import Foundation
import Logging
import LurusEvents
import LurusNATS
import PostgresNIO
import TestServers
import Testing

@testable import LurusBilling

/// The exactly-once proof with the real service: lurus-billing killed with SIGKILL in the middle of
/// settling a batch, NATS restarted, every event published again as a spool replay after the stream's
/// duplicate window would be (no message id for the stream to catch it): the ledger holds one row per
/// distinct request, and the wallet equals its top-up minus the sum of their costs, to the micro-dollar.
@Suite(.timeLimit(.minutes(3))) struct ExactlyOnceTests {
    static let events = 3000

    @Test func killedMidBatchNATSRestartedAndEverythingReplayedChargesEachRequestOnce() async throws {
        let nats = try await NATSServerProcess.start()
        try await BillingFixture.with { fixture in
            let (user, key, _) = try await fixture.customer(balance: Micros(decimal: "1000")!)
            var costs: [String: Micros] = [:]
            let records = (0..<Self.events).map { index in
                let id = "req_" + String(format: "%032x", index)
                let usd = Double((index * 7919) % 5000 + 1) / 1_000_000 + 0.000_000_3  // rounds down
                costs[id] = Micros(usd: usd)
                return Self.record(id: id, key: key.id, usd: usd)
            }
            let expected = costs.values.reduce(Int64(0)) { $0 + $1.value }
            try await nats.publish(records, to: EventStreams.billing, subject: EventStreams.billingUsageSubject)

            let directory = fixture.server.directory
            let passwords = directory.appendingPathComponent("secrets", isDirectory: true)
            try FileManager.default.createDirectory(at: passwords, withIntermediateDirectories: true)
            try fixture.server.password.write(
                to: passwords.appendingPathComponent("pg"),
                atomically: true,
                encoding: .utf8
            )
            try nats.password.write(to: passwords.appendingPathComponent("nats"), atomically: true, encoding: .utf8)
            let environment = [
                "POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": String(fixture.server.port),
                "POSTGRES_USER": fixture.server.user, "POSTGRES_DATABASE": fixture.server.database,
                "POSTGRES_PASSWORD_FILE": passwords.appendingPathComponent("pg").path,
                "NATS_URL": nats.url, "NATS_USER": nats.user,
                "NATS_PASSWORD_FILE": passwords.appendingPathComponent("nats").path,
                "USAGE_BATCH_SIZE": "100", "ADMIN_TOKEN_SHA256": String(repeating: "0", count: 64),
                "USAGE_ACK_WAIT_SECONDS": "2", "LOG_LEVEL": "warning",
            ]

            // 1. Kill it while a batch's transaction is running.
            let first = try await ServiceProcess.start("lurus-billing", environment: environment, directory: directory)
            var killedMidBatch = false
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline, !killedMidBatch {
                // Through the store's client, not psql: a settle lasts milliseconds, a psql run longer.
                let rows = try await fixture.client.query(
                    "SELECT count(*)::int FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%billing_settle(%' AND pid <> pg_backend_pid()"
                )
                var active = 0
                for try await (count) in rows.decode(Int.self) { active = count }
                if active != 0 {
                    first.kill()
                    killedMidBatch = true
                }
            }
            #expect(killedMidBatch, "a settle transaction was seen running and the service killed in it")
            let atKill = Int(try await fixture.scalar("SELECT count(*) FROM ledger WHERE kind = 'usage'")) ?? -1
            #expect(atKill < Self.events, "killed before the end (\(atKill) settled)")

            // 2. NATS restarts (its store survives); 3. billing starts again and finishes.
            try await nats.restart()
            let second = try await ServiceProcess.start("lurus-billing", environment: environment, directory: directory)
            try await Self.waitUntil("every event settled", fixture: fixture) {
                try await fixture.scalar("SELECT count(*) FROM ledger WHERE kind = 'usage'") == "\(Self.events)"
            }

            // 4. The whole stream again, as a spool replayed after the duplicate window: the stream keeps them all.
            try await nats.publish(
                records,
                to: EventStreams.billing,
                subject: EventStreams.billingUsageSubject,
                withIDs: false
            )
            try await Self.waitUntil("the replay consumed", fixture: fixture) {
                try await Self.consumerIsDone(nats)
            }
            second.kill()

            #expect(
                try await fixture.scalar("SELECT count(*), count(DISTINCT request_id) FROM ledger WHERE kind = 'usage'")
                    == "\(Self.events)|\(Self.events)"
            )
            let wallet = try #require(try await fixture.store.user(id: user.id))
            #expect(
                wallet.balance == Micros(1_000_000_000 - expected),
                "wallet = top-up − Σ distinct costs, to the micro-dollar"
            )
            #expect(wallet.reserved == .zero)
            #expect(
                try await fixture.scalar("SELECT sum(amount) FROM ledger WHERE user_id = '\(user.id)'")
                    == "\(wallet.balance.value)"
            )
            #expect(try await fixture.scalar("SELECT coalesce(sum(shortfall), 0) FROM ledger") == "0")
        }
    }

    static func record(id: String, key: String, usd: Double) -> UsageRecord {
        UsageRecord(
            requestId: id,
            keyId: key,
            platform: "openai",
            provider: "alpha",
            model: "gpt-test",
            upstreamModel: "gpt-test-1",
            status: 200,
            outcome: .ok,
            error: nil,
            stream: false,
            attempts: 1,
            latencyMs: 12,
            ttftMs: nil,
            inputTokens: 100,
            outputTokens: 20,
            cacheReadTokens: 0,
            cacheWriteTokens: 0,
            costUsd: usd,
            startedAt: "2026-12-02T10:00:00.000Z"
        )
    }

    static func consumerIsDone(_ nats: NATSServerProcess) async throws -> Bool {
        try await nats.pending(stream: EventStreams.billing.name, consumer: "billing").map { $0 == (0, 0) } ?? false
    }

    static func waitUntil(_ what: String, fixture: BillingFixture, _ condition: () async throws -> Bool) async throws {
        do {
            try await TestServers.waitUntil(what, condition)
        } catch {
            Issue.record("\(error) (ledger has \(try await fixture.scalar("SELECT count(*) FROM ledger")) rows)")
        }
    }
}
