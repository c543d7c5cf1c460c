/// The log service's schema in ClickHouse, as versioned migrations (data; `LogSchemaMigrator` runs them).
///
/// One schema for every server from 18.16 (Debian's, in the lab and the tests) to current releases
/// (production pins 24.8): nothing newer than 18.16 has — no DateTime64 (time is whole seconds in `time`,
/// for partitions and the sort key, and milliseconds in `started_at_ms`), no LowCardinality, no `ADD
/// COLUMN IF NOT EXISTS`, no TTL in the table definition (retention is set after, where the server has it).
///
/// The service owns every table in `lurus_logs`; `up` only makes the database and the `lurus` user.
public enum LogMigrations {
    /// One step of a migration: a statement, and whether it is already done (for statements with no `IF
    /// NOT EXISTS` form), so that two replicas starting at once both succeed.
    public struct Step: Sendable {
        public var sql: String
        /// A query answering `1` when the step needs nothing; nil when the statement is itself idempotent.
        public var doneWhen: String?
    }

    public struct Migration: Sendable {
        public var version: Int
        public var name: String
        public var steps: [Step]
    }

    public static let table = "request_log"

    /// The columns, in the order rows are written.
    public static let requestLogColumns = """
        time DateTime('UTC'),
        started_at_ms UInt64,
        request_id String,
        key_id String,
        user_id String,
        platform String,
        provider String,
        model String,
        upstream_model String,
        status UInt16,
        outcome String,
        error String,
        stream UInt8,
        attempts UInt8,
        latency_ms Float64,
        ttft_ms Nullable(Float64),
        input_tokens UInt32,
        output_tokens UInt32,
        cache_read_tokens UInt32,
        cache_write_tokens UInt32,
        cost Decimal(18, 9),
        lease_id String,
        ingested_at DateTime('UTC') DEFAULT now()
        """

    public static let all: [Migration] = [
        Migration(
            version: 1,
            name: "the request log, one row per request",
            steps: [
                // A request_log made by lurusctl before the log service existed (time in seconds, no outcome)
                // was never written to: it is set aside, not mixed with the new one.
                Step(
                    sql: "RENAME TABLE request_log TO request_log_before_service",
                    doneWhen: """
                        SELECT count() = 0 FROM system.columns WHERE database = currentDatabase() \
                        AND table = 'request_log' AND name = 'time' \
                        AND (SELECT count() FROM system.columns WHERE database = currentDatabase() \
                        AND table = 'request_log' AND name = 'outcome') = 0
                        """
                ),
                // ReplacingMergeTree on (time, request_id): merges fold any duplicate that got in anyway
                // (the writer stores each request once; see LogWriter). The order key serves the API's
                // time ranges and the writer's look-ups of request ids.
                Step(
                    sql: """
                        CREATE TABLE IF NOT EXISTS request_log
                        (
                        \(Self.requestLogColumns)
                        )
                        ENGINE = ReplacingMergeTree()
                        PARTITION BY toYYYYMM(time)
                        ORDER BY (time, request_id)
                        """,
                    doneWhen: nil
                ),
            ]
        )
    ]
}
