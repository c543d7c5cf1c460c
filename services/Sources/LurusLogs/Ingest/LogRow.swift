import LurusEvents

/// One request's row for `request_log`, made from its usage event. Pure.
public struct LogRow: Sendable, Equatable {
    public var record: UsageRecord
    /// `started_at` in milliseconds since 1970.
    public var startedAtMs: Int64

    /// The row for `record`, or nil when its `started_at` cannot be read.
    public init?(_ record: UsageRecord) {
        guard let milliseconds = EventTime.milliseconds(record.startedAt), milliseconds >= 0 else { return nil }
        self.record = record
        self.startedAtMs = milliseconds
    }

    /// Whole seconds of `started_at`: the partition and the sort key.
    public var timeSeconds: Int64 { self.startedAtMs / 1000 }

    /// The row as a JSONEachRow line (ClickHouse 18.16 reads DateTime as seconds, Decimal as a bare
    /// number); `ingested_at` is left to the server's default.
    public func jsonLine(into output: inout [UInt8]) {
        let record = self.record
        var writer = EventJSONWriter(capacity: 512)
        writer.member("time", integer: Int(self.timeSeconds))
        writer.member("started_at_ms", integer: Int(self.startedAtMs))
        writer.member("request_id", string: record.requestId)
        writer.member("key_id", string: record.keyId)
        writer.member("user_id", string: record.userId ?? "")
        writer.member("platform", string: record.platform)
        writer.member("provider", string: record.provider ?? "")
        writer.member("model", string: record.model)
        writer.member("upstream_model", string: record.upstreamModel ?? "")
        writer.member("status", integer: record.status)
        writer.member("outcome", string: record.outcome.rawValue)
        writer.member("error", string: record.error ?? "")
        writer.member("stream", integer: record.stream ? 1 : 0)
        writer.member("attempts", integer: min(max(record.attempts, 0), 255))
        writer.member("latency_ms", number: record.latencyMs)
        if let ttft = record.ttftMs { writer.member("ttft_ms", number: ttft) }
        writer.member("input_tokens", integer: Self.uint32(record.inputTokens))
        writer.member("output_tokens", integer: Self.uint32(record.outputTokens))
        writer.member("cache_read_tokens", integer: Self.uint32(record.cacheReadTokens))
        writer.member("cache_write_tokens", integer: Self.uint32(record.cacheWriteTokens))
        writer.member("cost", decimal: Self.nanoDollars(record.costUsd))
        writer.member("lease_id", string: record.leaseId ?? "")
        output.append(contentsOf: writer.finish())
        output.append(UInt8(ascii: "\n"))
    }

    static func uint32(_ value: Int) -> Int { min(max(value, 0), Int(UInt32.max)) }

    /// The cost in nano-dollars (the column's 9 decimals), rounded to nearest.
    static func nanoDollars(_ usd: Double) -> Int64 {
        guard usd.isFinite, usd > 0 else { return 0 }
        return Int64((usd * 1e9).rounded())
    }
}

extension EventJSONWriter {
    /// A Decimal(18, 9) from nano-units, written as a bare decimal number (`0.000012345`).
    mutating func member(_ key: StaticString, decimal nanos: Int64) {
        let whole = nanos / 1_000_000_000
        let fraction = String(nanos % 1_000_000_000)
        self.member(key, raw: "\(whole).\(String(repeating: "0", count: 9 - fraction.count))\(fraction)")
    }
}
