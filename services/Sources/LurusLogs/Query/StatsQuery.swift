import LurusEvents

/// `GET /api/v1/stats`: totals per hour or day, optionally per key, user, model or provider. Pure: the
/// parameters, and the SQL they make.
///
/// Stats count whole hours: `from` rounds down and `to` up to the hour (the answer gives the range
/// counted). Hours from the rollups' start on are read from the hourly rollup, and whole days of a query by
/// day from the daily one (thousands of rows instead of millions); earlier hours, stored before the
/// rollups existed, from the request log; all as the same aggregate states, merged in one query, so a
/// range across the boundaries is still one exact answer.
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
        let hour: Int64 = 3_600_000
        let to = Self.ceiling(self.filter.toMs ?? nowMs, to: hour)
        let from = (self.filter.fromMs ?? (to - self.interval.defaultSpan)) / hour * hour
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

    static func ceiling(_ value: Int64, to step: Int64) -> Int64 {
        (value + step - 1) / step * step
    }

    /// The query, for a rollup that holds every row from `rollupStart` (Unix seconds, an hour) on; nil:
    /// no rollup yet, every row is read from the request log.
    public func sql(rollupStart: Int64?) -> String {
        let from = (self.filter.fromMs ?? 0) / 1000
        let to = (self.filter.toMs ?? 0) / 1000
        let split = min(max(rollupStart ?? to, from), to)
        let group = self.group.map { "\($0.column)" } ?? "''"
        let dimensions = self.filter.dimensionConditions
        func range(_ column: String, _ lower: Int64, _ upper: Int64) -> [String] {
            ["\(column) >= toDateTime(\(lower), 'UTC')", "\(column) < toDateTime(\(upper), 'UTC')"]
        }
        let states =
            "request_count, input_tokens_total, output_tokens_total, cache_read_tokens_total, "
            + "cache_write_tokens_total, cost_total, latency_digest, ttft_digest, ttft_count"
        func rollup(_ table: String, _ lower: Int64, _ upper: Int64) -> String {
            "SELECT hour, \(group) AS grouped, outcome, \(states) FROM \(table) WHERE "
                + (range("hour", lower, upper) + dimensions).joined(separator: " AND ")
        }
        var parts: [String] = []
        if from < split {
            parts.append(
                "SELECT toStartOfHour(time) AS hour, \(group) AS grouped, outcome, \(LogMigrations.rollupAggregates) "
                    + "FROM \(LogMigrations.table) WHERE \((range("time", from, split) + dimensions).joined(separator: " AND ")) "
                    + "GROUP BY hour, grouped, outcome"
            )
        }
        // By day: the whole days from the daily rollup, the hours around them from the hourly one.
        let day: Int64 = 86_400
        let days = self.interval == .day ? (Self.ceiling(split, to: day), to / day * day) : (to, to)
        if days.0 < days.1 {
            if split < days.0 { parts.append(rollup(LogMigrations.rollup, split, days.0)) }
            parts.append(rollup(LogMigrations.dailyRollup, days.0, days.1))
            if days.1 < to { parts.append(rollup(LogMigrations.rollup, days.1, to)) }
        } else if split < to {
            parts.append(rollup(LogMigrations.rollup, split, to))
        }
        let bucket = "toUnixTimestamp(\(self.interval.function)(hour))"
        // One count per outcome (18.16's sumMap takes numeric keys only).
        let outcomes = Outcome.allCases.map {
            "countMergeIf(request_count, outcome = \(SQLText.quoted($0.rawValue))) AS outcome_\($0.rawValue)"
        }
        .joined(separator: ", ")
        return """
            SELECT \(bucket) AS bucket, grouped, countMerge(request_count) AS requests, \(outcomes), \
            sumMerge(input_tokens_total) AS input_tokens, sumMerge(output_tokens_total) AS output_tokens, \
            sumMerge(cache_read_tokens_total) AS cache_read_tokens, \
            sumMerge(cache_write_tokens_total) AS cache_write_tokens, toString(sumMerge(cost_total)) AS cost, \
            quantilesTDigestMerge(0.5, 0.95, 0.99)(latency_digest) AS latency, \
            quantilesTDigestMerge(0.5, 0.95, 0.99)(ttft_digest) AS ttft, countMerge(ttft_count) AS with_ttft \
            FROM (\(parts.joined(separator: " UNION ALL "))) \
            GROUP BY bucket, grouped ORDER BY bucket, grouped FORMAT JSONEachRow
            """
    }
}
