import LurusEvents

/// `GET /api/v1/stats`: totals per hour or day, optionally per key, user, model or provider. Pure: the
/// parameters, and the SQL they make.
public struct StatsQuery: Sendable, Equatable {
    public enum Interval: String, Sendable, CaseIterable {
        case hour, day

        var function: String { self == .hour ? "toStartOfHour" : "toStartOfDay" }
        var milliseconds: Int64 { self == .hour ? 3_600_000 : 86_400_000 }
        /// The default range, and the longest one a query may ask for.
        var defaultSpan: Int64 { self == .hour ? 24 * 3_600_000 : 30 * 86_400_000 }
        var maximumBuckets: Int64 { self == .hour ? 24 * 31 : 366 * 2 }
    }

    public enum Group: String, Sendable, CaseIterable {
        case key, user, model, provider

        var column: String {
            switch self {
            case .key: return "key_id"
            case .user: return "user_id"
            case .model: return "model"
            case .provider: return "provider"
            }
        }
    }

    public var filter: LogFilter
    public var interval: Interval
    public var group: Group?

    public static let parameters = LogFilter.parameters.union(["interval", "group_by"])

    /// Reads the parameters; without `from`, the range is the last day (hours) or 30 days (days) before
    /// `to` or `nowMs`.
    public init(_ query: QueryParameters, nowMs: Int64) throws(QueryError) {
        self.filter = try LogFilter(query)
        self.interval = try query.choice("interval", default: Interval.hour)!
        self.group = try query.choice("group_by", default: nil as Group?)
        let to = self.filter.toMs ?? nowMs
        let from = self.filter.fromMs ?? (to - self.interval.defaultSpan)
        guard from < to else { throw QueryError("from", "must be before to") }
        guard (to - from) / self.interval.milliseconds <= self.interval.maximumBuckets else {
            throw QueryError(
                "from",
                "asks for more than \(self.interval.maximumBuckets) \(self.interval.rawValue)s; narrow the range or use interval=day"
            )
        }
        self.filter.fromMs = from
        self.filter.toMs = to
    }

    public var sql: String {
        let bucket = "toUnixTimestamp(\(self.interval.function)(time))"
        let group = self.group.map { "\($0.column)" } ?? "''"
        // One count per outcome (18.16's sumMap takes numeric keys only).
        let outcomes = Outcome.allCases.map {
            "countIf(outcome = \(SQLText.quoted($0.rawValue))) AS outcome_\($0.rawValue)"
        }
        .joined(separator: ", ")
        return """
            SELECT \(bucket) AS bucket, \(group) AS grouped, count() AS requests, \(outcomes), \
            sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, \
            sum(cache_read_tokens) AS cache_read_tokens, sum(cache_write_tokens) AS cache_write_tokens, \
            toString(sum(cost)) AS cost, \
            quantilesTDigest(0.5, 0.95, 0.99)(latency_ms) AS latency, \
            quantilesTDigest(0.5, 0.95, 0.99)(ttft_ms) AS ttft, count(ttft_ms) AS with_ttft \
            FROM \(LogMigrations.table) WHERE \(self.filter.conditions.joined(separator: " AND ")) \
            GROUP BY bucket, grouped ORDER BY bucket, grouped FORMAT JSONEachRow
            """
    }
}
