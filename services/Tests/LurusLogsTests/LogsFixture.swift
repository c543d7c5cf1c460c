import Crypto
import EventTestSupport
import Foundation
import Logging
import LurusClickHouse
import LurusEvents
import LurusNATS
import LurusServiceKit
import TestServers

@testable import LurusLogs

/// A real ClickHouse (with `lurus_logs` and the `lurus` user) and a real nats-server for one test, the
/// log service's settings pointing at both, and helpers to publish records and read the table.
struct LogsFixture {
    static let adminToken = "logs-test-admin-token"
    static let logger = Logger(label: "test.logs")

    let clickHouse: ClickHouseServerProcess
    let nats: NATSServerProcess
    let directory: URL

    static func start(jetStream: Bool = true) async throws -> LogsFixture {
        async let clickHouse = ClickHouseServerProcess.start()
        async let nats = NATSServerProcess.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "logs-test-\(UUID().uuidString)",
            isDirectory: true
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let fixture = LogsFixture(clickHouse: try await clickHouse, nats: try await nats, directory: directory)
        try fixture.clickHouse.password.write(to: fixture.passwordFile("clickhouse"), atomically: true, encoding: .utf8)
        try fixture.nats.password.write(to: fixture.passwordFile("nats"), atomically: true, encoding: .utf8)
        // Declared before any test publishes, as the gateway would have.
        let client = try await fixture.connect()
        _ = try await JetStream(client: client).ensureStream(EventStreams.log)
        await client.close()
        return fixture
    }

    func passwordFile(_ name: String) -> URL { self.directory.appendingPathComponent("\(name).password") }

    /// The service's settings as environment variables (what a node's unit file holds).
    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        [
            "CLICKHOUSE_URL": self.clickHouse.url, "CLICKHOUSE_USER": "lurus",
            "CLICKHOUSE_PASSWORD_FILE": self.passwordFile("clickhouse").path,
            "NATS_URL": self.nats.url, "NATS_USER": self.nats.user,
            "NATS_PASSWORD_FILE": self.passwordFile("nats").path,
            "ADMIN_TOKEN_SHA256": SHA256.hash(data: Data(Self.adminToken.utf8)).map { String(format: "%02x", $0) }
                .joined(),
            "LOG_LEVEL": "warning",
        ].merging(extra) { $1 }
    }

    /// The same settings read as the service reads them.
    func configuration(_ extra: [String: String] = [:]) throws -> LogsConfiguration {
        var values: [String: String] = [:]
        for (name, value) in self.environment(extra) {
            let key = Self.settingKeys[name] ?? name.lowercased()
            values[key] = value
        }
        return try LogsConfiguration(settings: Settings(values: values))
    }

    static let settingKeys = [
        "CLICKHOUSE_URL": "clickhouse.url", "CLICKHOUSE_USER": "clickhouse.user",
        "CLICKHOUSE_PASSWORD_FILE": "clickhouse.passwordFile", "NATS_URL": "nats.url", "NATS_USER": "nats.user",
        "NATS_PASSWORD_FILE": "nats.passwordFile", "ADMIN_TOKEN_SHA256": "admin.tokenSha256", "LOG_LEVEL": "log.level",
        "INGEST_BATCH_ROWS": "ingest.batchRows", "INGEST_BATCH_MILLISECONDS": "ingest.batchMilliseconds",
        "INGEST_ACK_WAIT_SECONDS": "ingest.ackWaitSeconds",
        "INGEST_MAXIMUM_BACKOFF_SECONDS": "ingest.maximumBackoffSeconds",
        "CLICKHOUSE_QUERY_TIMEOUT_SECONDS": "clickhouse.queryTimeoutSeconds",
    ]

    /// The `lurus` user's client, as the service has it.
    func client(timeout: Duration = .seconds(10)) -> ClickHouseClient {
        ClickHouseClient(
            ClickHouseConfiguration(
                url: self.clickHouse.url,
                user: "lurus",
                password: self.clickHouse.password,
                database: "lurus_logs",
                timeout: timeout,
                insertTimeout: timeout
            )
        )
    }

    /// A query's answer as `default` (the test's own view), trimmed.
    func scalar(_ sql: String) throws -> String {
        try self.clickHouse.query(sql + " FORMAT TSV").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func record(
        _ index: Int,
        key: String = "team-a",
        model: String = "gpt-test",
        outcome: Outcome = .ok,
        startedAt: String? = nil
    ) -> UsageRecord {
        let minute = index % 60
        return UsageRecord(
            requestId: "req_" + String(format: "%032x", index),
            keyId: key,
            platform: "openai",
            provider: outcome == .refused ? nil : "alpha",
            model: model,
            upstreamModel: outcome == .refused ? nil : model + "-1",
            status: outcome == .ok ? 200 : 502,
            outcome: outcome,
            error: outcome == .ok ? nil : "upstream said no",
            stream: index % 2 == 0,
            attempts: 1,
            latencyMs: Double(100 + index % 900),
            ttftMs: index % 2 == 0 ? Double(10 + index % 90) : nil,
            inputTokens: 100 + index % 50,
            outputTokens: 20 + index % 7,
            cacheReadTokens: index % 3,
            cacheWriteTokens: 0,
            costUsd: Double((index * 7919) % 5000 + 1) / 1_000_000,
            startedAt: startedAt ?? String(format: "2026-12-02T10:%02d:%02d.%03dZ", minute, index % 60, index % 1000),
            userId: "user-" + key
        )
    }

    func connect() async throws -> NATSClient {
        try await self.nats.connect(logger: Self.logger)
    }

    /// Publishes `records` to LOG_EVENTS; with `withIDs: false` the stream cannot catch repeats (a spool
    /// replayed after its duplicate window).
    func publish(_ records: [UsageRecord], withIDs: Bool = true) async throws {
        try await self.nats.publish(
            records,
            to: EventStreams.log,
            subject: EventStreams.logWriteSubject,
            withIDs: withIDs
        )
    }

    /// Unacknowledged and undelivered messages of the ingest's consumer.
    func pending(consumer: String = "lurus-logs") async throws -> (undelivered: Int, unacknowledged: Int) {
        try await self.nats.pending(stream: EventStreams.log.name, consumer: consumer) ?? (-1, -1)
    }
}
