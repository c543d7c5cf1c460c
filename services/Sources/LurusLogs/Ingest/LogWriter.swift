import LurusClickHouse
import NIOCore

/// Stores rows in `request_log` so that each request is there once, however often its event arrives.
///
/// ReplacingMergeTree alone does not promise that: it folds duplicates only when it merges parts, at a
/// time of its choosing, and until then every query counts both. So the writer looks before it writes:
/// the batch's request ids already stored (a redelivery after a crash between insert and acknowledgement,
/// a gateway's spool replayed after the stream's duplicate window) are left out, and the rest goes in as
/// one insert, which ClickHouse stores as one part or not at all. That holds while one writer inserts at a
/// time: the service runs one ingest per table (a single replica on the ClickHouse node; doc/logs.md).
public struct LogWriter: Sendable {
    public struct Outcome: Sendable, Equatable {
        public var inserted: Int
        public var alreadyStored: Int
    }

    let client: ClickHouseClient

    public init(client: ClickHouseClient) {
        self.client = client
    }

    public func write(_ rows: [LogRow]) async throws(ClickHouseError) -> Outcome {
        guard !rows.isEmpty else { return Outcome(inserted: 0, alreadyStored: 0) }
        let stored = try await self.storedIDs(of: rows)
        let fresh = stored.isEmpty ? rows : rows.filter { !stored.contains($0.record.requestId) }
        if !fresh.isEmpty {
            var body: [UInt8] = []
            body.reserveCapacity(fresh.count * 480)
            for row in fresh { row.jsonLine(into: &body) }
            try await self.client.insert(
                into: LogMigrations.table,
                format: "JSONEachRow",
                rows: ByteBuffer(bytes: body),
                // A batch is one block, so one part: all of it or none of it.
                settings: ["max_insert_block_size": "1048576", "input_format_skip_unknown_fields": "0"]
            )
        }
        return Outcome(inserted: fresh.count, alreadyStored: rows.count - fresh.count)
    }

    /// The request ids of `rows` already in the table, looked up by the sort key: the rows' seconds (so
    /// only their granules are read, however old a replayed row is) and their ids.
    func storedIDs(of rows: [LogRow]) async throws(ClickHouseError) -> Set<String> {
        let seconds = Set(rows.map(\.timeSeconds)).sorted().map(String.init).joined(separator: ",")
        let sql =
            "SELECT request_id FROM \(LogMigrations.table) WHERE time IN (\(seconds)) AND request_id IN "
            + SQLText.list(rows.map(\.record.requestId)) + " FORMAT TSV"
        let answer = try await self.client.query(
            sql,
            // Thousands of ids are more than the default 256 KiB a query may be.
            settings: ["max_query_size": String(max(262_144, sql.utf8.count + 1024))]
        )
        return Set(String(buffer: answer).split(separator: "\n").map(String.init))
    }
}
