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
    /// The hourly and daily totals `GET /api/v1/stats` reads (``StatsQuery``), and the views that feed them.
    public static let rollup = "request_stats_hourly"
    public static let rollupFeed = "request_stats_hourly_feed"
    public static let dailyRollup = "request_stats_daily"
    public static let dailyRollupFeed = "request_stats_daily_feed"

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

    /// The rollups' columns (`hour` is the start of a day in the daily one): an hour and the dimensions stats filter and group on, then the states of the
    /// aggregates (no SimpleAggregateFunction on 18.16). `RollupColumns.aggregates` makes the same states from
    /// raw rows, so the two can be merged in one query.
    public static let rollupColumns = """
        hour DateTime('UTC'),
        key_id String,
        user_id String,
        model String,
        provider String,
        outcome String,
        request_count AggregateFunction(count),
        input_tokens_total AggregateFunction(sum, UInt32),
        output_tokens_total AggregateFunction(sum, UInt32),
        cache_read_tokens_total AggregateFunction(sum, UInt32),
        cache_write_tokens_total AggregateFunction(sum, UInt32),
        cost_total AggregateFunction(sum, Decimal(18, 9)),
        latency_digest AggregateFunction(quantilesTDigest(0.5, 0.95, 0.99), Float64),
        ttft_digest AggregateFunction(quantilesTDigest(0.5, 0.95, 0.99), Float64),
        ttft_count AggregateFunction(count, Float64)
        """

    /// The aggregate states of `rollupColumns` over rows of `request_log`, in the same order.
    public static let rollupAggregates = """
        countState() AS request_count, sumState(input_tokens) AS input_tokens_total, \
        sumState(output_tokens) AS output_tokens_total, sumState(cache_read_tokens) AS cache_read_tokens_total, \
        sumState(cache_write_tokens) AS cache_write_tokens_total, sumState(cost) AS cost_total, \
        quantilesTDigestState(0.5, 0.95, 0.99)(latency_ms) AS latency_digest, \
        quantilesTDigestState(0.5, 0.95, 0.99)(ttft_ms) AS ttft_digest, countState(ttft_ms) AS ttft_count
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
        ),
        Migration(
            version: 2,
            name: "hourly and daily totals for stats, fed by every insert",
            steps: Self.rollupSteps(table: Self.rollup, feed: Self.rollupFeed, start: "toStartOfHour")
                + Self.rollupSteps(table: Self.dailyRollup, feed: Self.dailyRollupFeed, start: "toStartOfDay")
        ),
    ]

    /// A rollup table and the view that feeds it from every insert into the request log.
    ///
    /// AggregatingMergeTree: a period's rows from many inserts merge into one per dimension. It is exact
    /// because the writer stores each request once (the view sees each insert once). Rows stored before
    /// the view existed are not in the rollup: stats read them from the request log (see
    /// `LogSchemaMigrator.rollupStart`), so nothing is backfilled and no row is counted twice, even with
    /// another replica ingesting meanwhile.
    static func rollupSteps(table: String, feed: String, start: String) -> [Step] {
        [
            Step(
                sql: """
                    CREATE TABLE IF NOT EXISTS \(table)
                    (
                    \(Self.rollupColumns)
                    )
                    ENGINE = AggregatingMergeTree()
                    PARTITION BY toYYYYMM(hour)
                    ORDER BY (hour, model, provider, key_id, user_id, outcome)
                    """,
                doneWhen: Self.exists(table)
            ),
            Step(
                sql: """
                    CREATE MATERIALIZED VIEW IF NOT EXISTS \(feed) TO \(table) AS \
                    SELECT \(start)(time) AS hour, key_id, user_id, model, provider, outcome, \
                    \(Self.rollupAggregates) \
                    FROM \(Self.table) GROUP BY hour, key_id, user_id, model, provider, outcome
                    """,
                doneWhen: Self.exists(feed)
            ),
        ]
    }

    /// A `doneWhen` for a CREATE: the table or view is there (another replica may be making it too).
    static func exists(_ name: String) -> String {
        "SELECT count() = 1 FROM system.tables WHERE database = currentDatabase() AND name = '\(name)'"
    }
}
