/// `GET /api/v1/logs`: requests newest first, one page at a time, after an opaque cursor. Pure: the
/// parameters, and the SQL they make.
public struct LogsQuery: Sendable, Equatable {
    public var filter: LogFilter
    public var limit: Int
    /// Where the previous page ended.
    public var after: Cursor?

    /// A page's end: the last row's `started_at_ms` and request id (ties broken by id), written as
    /// `MS_ID`.
    public struct Cursor: Sendable, Equatable {
        public var startedAtMs: Int64
        public var requestID: String

        public var text: String { "\(self.startedAtMs)_\(self.requestID)" }

        init?(_ text: String) {
            guard let separator = text.firstIndex(of: "_"), let milliseconds = Int64(text[..<separator]),
                milliseconds >= 0
            else { return nil }
            let id = String(text[text.index(after: separator)...])
            guard !id.isEmpty else { return nil }
            self.startedAtMs = milliseconds
            self.requestID = id
        }

        public init(startedAtMs: Int64, requestID: String) {
            self.startedAtMs = startedAtMs
            self.requestID = requestID
        }
    }

    public static let parameters = LogFilter.parameters.union(["limit", "cursor"])

    public init(_ query: QueryParameters) throws(QueryError) {
        self.filter = try LogFilter(query)
        self.limit = try query.integer("limit", default: 100, range: 1...1000)
        if let cursor = try query.text("cursor") {
            guard let parsed = Cursor(cursor) else {
                throw QueryError("cursor", "is not a cursor this API gave; pass next_cursor from the previous page")
            }
            self.after = parsed
        }
    }

    /// The page's rows and one more (to know whether there is a next page).
    public var sql: String {
        var conditions = self.filter.conditions
        if let after = self.after {
            conditions.append("time <= toDateTime(\(after.startedAtMs / 1000), 'UTC')")
            conditions.append(
                "(started_at_ms < \(after.startedAtMs) OR (started_at_ms = \(after.startedAtMs) AND request_id < \(SQLText.quoted(after.requestID))))"
            )
        }
        return """
            SELECT request_id, started_at_ms, key_id, user_id, platform, provider, model, upstream_model, status, \
            outcome, error, stream, attempts, latency_ms, ttft_ms, input_tokens, output_tokens, cache_read_tokens, \
            cache_write_tokens, toString(cost) AS cost, lease_id \
            FROM \(LogMigrations.table) WHERE \(conditions.isEmpty ? "1" : conditions.joined(separator: " AND ")) \
            ORDER BY time DESC, started_at_ms DESC, request_id DESC LIMIT \(self.limit + 1) FORMAT JSONEachRow
            """
    }
}
