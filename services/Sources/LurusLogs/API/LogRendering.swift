import LLMWire
import LurusEvents

/// ClickHouse's JSONEachRow answers turned into the API's JSON. Pure.
enum LogRendering {
    /// The lines of a JSONEachRow answer, each an object.
    static func rows(_ answer: String) throws(WireError) -> [[String: JSONValue]] {
        var rows: [[String: JSONValue]] = []
        for line in answer.split(separator: "\n") {
            if let row = try JSONValue.parse(Array(line.utf8)).objectValue { rows.append(row) }
        }
        return rows
    }

    /// One request as `GET /api/v1/logs` shows it: the usage record's fields (absent ones null), its
    /// `started_at` in ISO 8601, the cost as an exact decimal string.
    static func request(_ row: [String: JSONValue]) -> JSONValue {
        func text(_ name: String) -> JSONValue {
            guard let value = row[name]?.stringValue, !value.isEmpty else { return .null }
            return .string(value)
        }
        func integer(_ name: String) -> JSONValue { row[name]?.intValue.map(JSONValue.integer) ?? .null }
        func number(_ name: String) -> JSONValue { row[name]?.doubleValue.map(JSONValue.number) ?? .null }
        return .object([
            "request_id": text("request_id"),
            "started_at": row["started_at_ms"]?.intValue.map { .string(EventTime.iso(milliseconds: Int64($0))) }
                ?? .null,
            "key_id": text("key_id"),
            "user_id": text("user_id"),
            "platform": text("platform"),
            "provider": text("provider"),
            "model": text("model"),
            "upstream_model": text("upstream_model"),
            "status": integer("status"),
            "outcome": text("outcome"),
            "error": text("error"),
            "stream": .bool(row["stream"]?.intValue == 1),
            "attempts": integer("attempts"),
            "latency_ms": number("latency_ms"),
            "ttft_ms": number("ttft_ms"),
            "input_tokens": integer("input_tokens"),
            "output_tokens": integer("output_tokens"),
            "cache_read_tokens": integer("cache_read_tokens"),
            "cache_write_tokens": integer("cache_write_tokens"),
            "cost_usd": .string(Self.decimal(row["cost"]?.stringValue ?? "0")),
            "lease_id": text("lease_id"),
        ])
    }

    /// One bucket of `GET /api/v1/stats`.
    static func bucket(_ row: [String: JSONValue], query: StatsQuery) -> JSONValue {
        var outcomes: [String: JSONValue] = [:]
        var errors = 0
        for outcome in Outcome.allCases {
            guard let count = row["outcome_\(outcome.rawValue)"]?.intValue, count > 0 else { continue }
            outcomes[outcome.rawValue] = .integer(count)
            if outcome != .ok { errors += count }
        }
        func quantiles(_ name: String, present: Bool) -> JSONValue {
            guard present, let values = row[name]?.arrayValue, values.count == 3 else { return .null }
            let rounded = values.map { value -> JSONValue in
                value.doubleValue.map { .number(($0 * 1000).rounded() / 1000) } ?? .null
            }
            return .object(["p50": rounded[0], "p95": rounded[1], "p99": rounded[2]])
        }
        let requests = row["requests"]?.intValue ?? 0
        var bucket: [String: JSONValue] = [
            "start": .string(EventTime.iso(milliseconds: Int64(row["bucket"]?.intValue ?? 0) * 1000)),
            "requests": .integer(requests),
            "errors": .integer(errors),
            "outcomes": .object(outcomes),
            "input_tokens": .integer(row["input_tokens"]?.intValue ?? 0),
            "output_tokens": .integer(row["output_tokens"]?.intValue ?? 0),
            "cache_read_tokens": .integer(row["cache_read_tokens"]?.intValue ?? 0),
            "cache_write_tokens": .integer(row["cache_write_tokens"]?.intValue ?? 0),
            "cost_usd": .string(Self.decimal(row["cost"]?.stringValue ?? "0")),
            "latency_ms": quantiles("latency", present: requests > 0),
            "ttft_ms": quantiles("ttft", present: (row["with_ttft"]?.intValue ?? 0) > 0),
        ]
        if let group = query.group {
            let value = row["grouped"]?.stringValue ?? ""
            bucket[group.rawValue] = value.isEmpty ? .null : .string(value)
        }
        return .object(bucket)
    }

    /// A Decimal's text as ClickHouse gives it (`0.000012345`, `12`, `1.5`): the same number with nine
    /// decimals, so that equal amounts read the same.
    static func decimal(_ text: String) -> String {
        let negative = text.hasPrefix("-")
        let digits = negative ? String(text.dropFirst()) : text
        let parts = digits.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts.first.map(String.init).flatMap { $0.isEmpty ? nil : $0 } ?? "0"
        var fraction = parts.count > 1 ? String(parts[1]) : ""
        fraction = String(fraction.prefix(9)) + String(repeating: "0", count: max(0, 9 - fraction.count))
        return (negative ? "-" : "") + whole + "." + fraction
    }
}
