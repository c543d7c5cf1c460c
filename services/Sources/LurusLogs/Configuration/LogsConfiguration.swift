import Foundation
import LurusAdminAuth
import LurusClickHouse
import LurusEvents
import LurusNATS
import LurusServiceKit

/// Everything the log service reads at start, from the environment and its YAML file.
///
/// | key | environment | default |
/// |---|---|---|
/// | http.host / http.port | HTTP_HOST / HTTP_PORT | 0.0.0.0 / 18102 |
/// | clickhouse.url | CLICKHOUSE_URL | http://127.0.0.1:8123 |
/// | clickhouse.user / clickhouse.passwordFile | CLICKHOUSE_USER / CLICKHOUSE_PASSWORD_FILE | lurus / none |
/// | clickhouse.database | CLICKHOUSE_DATABASE | lurus_logs |
/// | clickhouse.queryTimeoutSeconds | CLICKHOUSE_QUERY_TIMEOUT_SECONDS | 10 |
/// | retention.days | RETENTION_DAYS | 30 (ClickHouse 19.6 and later; 18.16 keeps every row) |
/// | nats.url / nats.user / nats.passwordFile | NATS_URL / NATS_USER / NATS_PASSWORD_FILE | none (no ingest) |
/// | ingest.consumer | INGEST_CONSUMER | lurus-logs |
/// | ingest.batchRows / ingest.batchMilliseconds | INGEST_BATCH_ROWS / INGEST_BATCH_MILLISECONDS | 10000 / 1000 |
/// | ingest.ackWaitSeconds / ingest.maximumBackoffSeconds | INGEST_ACK_WAIT_SECONDS / INGEST_MAXIMUM_BACKOFF_SECONDS | 60 / 30 |
/// | admin.* | ADMIN_* | see `AdminAuthConfiguration` |
/// | tracing.enabled / tracing.endpoint | TRACING_ENABLED / TRACING_ENDPOINT | false / none |
/// | log.level | LOG_LEVEL | info |
public struct LogsConfiguration: ServiceConfiguration {
    public var host: String
    public var port: Int
    public var clickHouse: ClickHouseConfiguration
    public var retentionDays: Int
    /// Nil: nothing is ingested (a warning at start, and `/health` fails saying so).
    public var nats: NATSConfiguration?
    public var consumer: String
    public var batchRows: Int
    public var batchWait: Duration
    public var ackWait: Duration
    public var maximumBackoff: Duration
    public var admin: AdminAuthConfiguration
    public var tracingEnabled: Bool
    public var tracingEndpoint: String?
    public var logLevel: String

    public init(settings: Settings) throws(StartupError) {
        self.host = settings.string("http.host") ?? "0.0.0.0"
        self.port = try settings.int("http.port", default: 18102, range: 1...65535)
        let url = settings.string("clickhouse.url") ?? "http://127.0.0.1:8123"
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil,
            parsed.user == nil, parsed.password == nil
        else {
            throw StartupError(
                "setting clickhouse.url (CLICKHOUSE_URL) is \"\(url)\"",
                fix:
                    "use http://HOST:PORT (8123 is ClickHouse's HTTP port); credentials go in clickhouse.user and clickhouse.passwordFile"
            )
        }
        let database = settings.string("clickhouse.database") ?? "lurus_logs"
        guard !database.isEmpty, database.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw StartupError(
                "setting clickhouse.database (CLICKHOUSE_DATABASE) is \"\(database)\"",
                fix: "use letters, digits and _ only"
            )
        }
        self.clickHouse = ClickHouseConfiguration(
            url: url,
            user: settings.string("clickhouse.user") ?? "lurus",
            password: try settings.secretFile("clickhouse.passwordFile"),
            database: database,
            timeout: .seconds(try settings.int("clickhouse.queryTimeoutSeconds", default: 10, range: 1...600))
        )
        self.retentionDays = try settings.int("retention.days", default: 30, range: 1...3650)
        self.nats = try NATSConfiguration.events(settings: settings, clientName: "lurus-logs")
        self.consumer = settings.string("ingest.consumer") ?? "lurus-logs"
        guard self.consumer.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw StartupError(
                "setting ingest.consumer (INGEST_CONSUMER) is \"\(self.consumer)\"",
                fix: "use letters, digits, - and _ only (it is a JetStream durable name)"
            )
        }
        self.batchRows = try settings.int("ingest.batchRows", default: 10_000, range: 1...500_000)
        self.batchWait = .milliseconds(try settings.int("ingest.batchMilliseconds", default: 1000, range: 10...60_000))
        self.ackWait = .seconds(try settings.int("ingest.ackWaitSeconds", default: 60, range: 5...3600))
        self.maximumBackoff = .seconds(try settings.int("ingest.maximumBackoffSeconds", default: 30, range: 1...600))
        self.admin = try AdminAuthConfiguration(settings: settings)
        self.tracingEnabled = try settings.bool("tracing.enabled", default: false)
        self.tracingEndpoint = settings.string("tracing.endpoint")
        self.logLevel = settings.string("log.level") ?? "info"
    }
}
