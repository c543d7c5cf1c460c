import Logging
import LurusClickHouse

/// Applies ``LogMigrations`` at start, records each in `schema_migrations`, and sets retention.
///
/// ClickHouse has no transactions or locks: every step is idempotent (`IF NOT EXISTS`, or skipped when its
/// `doneWhen` says so, and a step that fails is checked again, since another replica may just have done
/// it), so two replicas starting at once both end with the same schema.
public struct LogSchemaMigrator: Sendable {
    let client: ClickHouseClient
    let logger: Logger

    public init(client: ClickHouseClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Applies what is missing; the versions applied now.
    @discardableResult
    public func migrate(
        _ migrations: [LogMigrations.Migration] = LogMigrations.all
    ) async throws(ClickHouseError)
        -> [Int]
    {
        try await self.client.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations
            (version UInt32, name String, applied_at DateTime('UTC') DEFAULT now())
            ENGINE = ReplacingMergeTree() ORDER BY version
            """
        )
        let done = Set(
            String(buffer: try await self.client.query("SELECT DISTINCT version FROM schema_migrations FORMAT TSV"))
                .split(separator: "\n").compactMap { Int($0) }
        )
        var applied: [Int] = []
        for migration in migrations.sorted(by: { $0.version < $1.version }) where !done.contains(migration.version) {
            for step in migration.steps {
                try await self.apply(step)
            }
            try await self.client.query(
                "INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(SQLText.quoted(migration.name)))"
            )
            self.logger.info(
                "migration applied",
                metadata: ["version": "\(migration.version)", "name": "\(migration.name)"]
            )
            applied.append(migration.version)
        }
        return applied
    }

    private func apply(_ step: LogMigrations.Step) async throws(ClickHouseError) {
        if try await self.isDone(step) { return }
        do {
            try await self.client.query(step.sql)
        } catch {
            // Another replica may have done it between the check and the statement.
            if try await self.isDone(step), step.doneWhen != nil { return }
            throw error
        }
    }

    private func isDone(_ step: LogMigrations.Step) async throws(ClickHouseError) -> Bool {
        guard let check = step.doneWhen else { return false }
        return String(buffer: try await self.client.query(check + " FORMAT TSV")).hasPrefix("1")
    }

    /// The first hour (Unix seconds) from which the rollup holds every row: the hour after the last row
    /// stored before the rollup's view existed (all rows are at or after it when none was), or nil before
    /// migration 2. A row with a later time was stored after the view existed, so the view counted it.
    /// Rows stored while the migration ran count as before (`<=` the time it was recorded): the boundary
    /// may come later than needed, never earlier.
    public func rollupStart() async throws(ClickHouseError) -> Int64? {
        let answer = String(
            buffer: try await self.client.query(
                "SELECT count() FROM schema_migrations WHERE version = 2 FORMAT TSV"
            )
        )
        guard let recorded = Int(answer.trimmingCharacters(in: .whitespacesAndNewlines)), recorded > 0 else {
            return nil
        }
        let last = String(
            buffer: try await self.client.query(
                """
                SELECT toUnixTimestamp(toStartOfHour(max(time))) + 3600, count() FROM \(LogMigrations.table) \
                WHERE ingested_at <= (SELECT min(applied_at) FROM schema_migrations WHERE version = 2) FORMAT TSV
                """
            )
        ).trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\t")
        // Not understood: nil, and stats read every row from the request log (slower, still exact).
        guard last.count == 2, let hour = Int64(last[0]), let before = Int64(last[1]) else { return nil }
        return before == 0 ? 0 : hour
    }

    /// Keeps rows `days` days where the server has TTL (19.6 and later); on older servers (18.16) rows are
    /// kept and the answer says so. Changes the table only when its TTL differs.
    public func setRetention(days: Int) async throws(ClickHouseError) -> String {
        let version = try await self.client.serverVersion()
        let parts = version.split(separator: ".").compactMap { Int($0) }
        guard parts.count >= 2, parts[0] > 19 || (parts[0] == 19 && parts[1] >= 6) else {
            return "ClickHouse \(version) has no TTL: rows are kept until deleted by hand"
        }
        for (table, column) in [
            (LogMigrations.table, "time"), (LogMigrations.rollup, "hour"), (LogMigrations.dailyRollup, "hour"),
        ] {
            let clause = "TTL \(column) + toIntervalDay(\(days))"
            let created = String(
                buffer: try await self.client.query(
                    "SELECT create_table_query FROM system.tables WHERE database = currentDatabase() AND name = '\(table)' FORMAT TSVRaw"
                )
            )
            if !created.contains(clause) {
                try await self.client.query("ALTER TABLE \(table) MODIFY \(clause)")
            }
        }
        return "rows and their hourly and daily totals kept \(days) days"
    }
}
