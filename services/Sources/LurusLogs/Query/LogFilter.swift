import LurusEvents

/// What both queries filter on: a time range and the request's key, user, model, provider and outcome.
/// Read from URL parameters, checked, and turned into a WHERE clause. Pure.
public struct LogFilter: Sendable, Equatable {
    /// Milliseconds since 1970, inclusive.
    public var fromMs: Int64?
    /// Milliseconds since 1970, exclusive.
    public var toMs: Int64?
    public var keyID: String?
    public var userID: String?
    public var model: String?
    public var provider: String?
    public var outcome: Outcome?

    public init() {}

    /// The parameters every query takes.
    static let parameters: Set<String> = ["from", "to", "key", "user", "model", "provider", "outcome"]

    /// Reads the filter from `query` (each parameter once at most).
    public init(_ query: QueryParameters) throws(QueryError) {
        self.fromMs = try query.time("from")
        self.toMs = try query.time("to")
        if let from = self.fromMs, let to = self.toMs, from >= to {
            throw QueryError("from", "must be before to")
        }
        self.keyID = try query.text("key")
        self.userID = try query.text("user")
        self.model = try query.text("model")
        self.provider = try query.text("provider")
        if let outcome = try query.text("outcome") {
            guard let known = Outcome(rawValue: outcome) else {
                throw QueryError(
                    "outcome",
                    "\"\(outcome)\" is not an outcome; use one of "
                        + Outcome.allCases.map(\.rawValue).joined(separator: ", ")
                )
            }
            self.outcome = known
        }
    }

    /// The conditions, joined by AND (`1` for none). The time range is given on `time` too (whole seconds,
    /// widened), so that ClickHouse reads only the parts and granules in range.
    public var conditions: [String] {
        var conditions: [String] = []
        if let from = self.fromMs {
            conditions.append("time >= toDateTime(\(from / 1000), 'UTC')")
            conditions.append("started_at_ms >= \(from)")
        }
        if let to = self.toMs {
            conditions.append("time <= toDateTime(\(to / 1000), 'UTC')")
            conditions.append("started_at_ms < \(to)")
        }
        return conditions + self.dimensionConditions
    }

    /// The conditions on columns other than time (the request log and the hourly rollup both have them).
    public var dimensionConditions: [String] {
        var conditions: [String] = []
        if let key = self.keyID { conditions.append("key_id = \(SQLText.quoted(key))") }
        if let user = self.userID { conditions.append("user_id = \(SQLText.quoted(user))") }
        if let model = self.model { conditions.append("model = \(SQLText.quoted(model))") }
        if let provider = self.provider { conditions.append("provider = \(SQLText.quoted(provider))") }
        if let outcome = self.outcome { conditions.append("outcome = \(SQLText.quoted(outcome.rawValue))") }
        return conditions
    }
}
