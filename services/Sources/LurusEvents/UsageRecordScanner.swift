import LLMWire

/// Reads the usage records producers write (one flat JSON object of strings, numbers, booleans and nulls)
/// byte by byte: the fast path of ``UsageRecord/decode(_:)``, which JSONDecoder made the log service's
/// largest cost (30 % of its CPU at 20,000 records a second).
///
/// It answers only what it is sure JSONDecoder would answer the same: anything else (a nested value, a
/// number where a whole one is wanted that is not plainly whole, a duplicate key, a missing field, an
/// unknown outcome, bytes that are not UTF-8) gives nil, and the caller asks JSONDecoder, whose answer or
/// error (naming the field) is then the one given.
struct UsageRecordScanner {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    static func scan(_ payload: some Collection<UInt8>) -> UsageRecord? {
        if let record = payload.withContiguousStorageIfAvailable({ Self.scan(buffer: $0) }) { return record }
        return Array(payload).withUnsafeBufferPointer { Self.scan(buffer: $0) }
    }

    private static func scan(buffer: UnsafeBufferPointer<UInt8>) -> UsageRecord? {
        var scanner = UsageRecordScanner(buffer)
        return scanner.record()
    }

    /// The fields as they are read; nil until seen.
    private struct Fields {
        var requestId, keyId, userId, platform, provider, model, upstreamModel, error, startedAt, leaseId: String?
        var outcome: Outcome?
        var status, attempts, inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens: Int?
        var latencyMs, ttftMs, costUsd: Double?
        var stream: Bool?
        /// Bit per key seen, to refuse a key given twice.
        var seen: UInt32 = 0
    }

    /// A value as read: its kind and, for strings, the decoded text, for numbers the literal's bytes.
    private enum Value {
        case string(String)
        case number(Range<Int>, whole: Bool)
        case bool(Bool)
        case null
    }

    private mutating func record() -> UsageRecord? {
        var fields = Fields()
        self.skipSpace()
        guard self.take(UInt8(ascii: "{")) else { return nil }
        self.skipSpace()
        if !self.take(UInt8(ascii: "}")) {
            repeat {
                self.skipSpace()
                guard let key = self.keyBytes() else { return nil }
                self.skipSpace()
                guard self.take(UInt8(ascii: ":")) else { return nil }
                self.skipSpace()
                guard let value = self.value(), self.assign(key, value, to: &fields) else { return nil }
                self.skipSpace()
            } while self.take(UInt8(ascii: ","))
            guard self.take(UInt8(ascii: "}")) else { return nil }
        }
        self.skipSpace()
        guard self.index == self.bytes.count else { return nil }
        guard let requestId = fields.requestId, let keyId = fields.keyId, let platform = fields.platform,
            let model = fields.model, let status = fields.status, let outcome = fields.outcome,
            let stream = fields.stream, let attempts = fields.attempts, let latencyMs = fields.latencyMs,
            let inputTokens = fields.inputTokens, let outputTokens = fields.outputTokens,
            let cacheReadTokens = fields.cacheReadTokens, let cacheWriteTokens = fields.cacheWriteTokens,
            let costUsd = fields.costUsd, let startedAt = fields.startedAt
        else { return nil }
        return UsageRecord(
            requestId: requestId,
            keyId: keyId,
            platform: platform,
            provider: fields.provider,
            model: model,
            upstreamModel: fields.upstreamModel,
            status: status,
            outcome: outcome,
            error: fields.error,
            stream: stream,
            attempts: attempts,
            latencyMs: latencyMs,
            ttftMs: fields.ttftMs,
            inputTokens: inputTokens,
            outputTokens: outputTokens,
            cacheReadTokens: cacheReadTokens,
            cacheWriteTokens: cacheWriteTokens,
            costUsd: costUsd,
            startedAt: startedAt,
            leaseId: fields.leaseId,
            userId: fields.userId
        )
    }

    // MARK: - Fields

    private static let keys: [[UInt8]] = [
        "request_id", "key_id", "user_id", "platform", "provider", "model", "upstream_model", "error",
        "started_at", "lease_id", "outcome", "status", "attempts", "input_tokens", "output_tokens",
        "cache_read_tokens", "cache_write_tokens", "latency_ms", "ttft_ms", "cost_usd", "stream",
    ].map { Array($0.utf8) }

    private func assign(_ key: Range<Int>, _ value: Value, to fields: inout Fields) -> Bool {
        guard let number = Self.keys.firstIndex(where: { self.equals(key, $0) }) else {
            // A field this version does not know: JSONDecoder ignores it too (scalars only get here).
            return true
        }
        let bit: UInt32 = 1 << UInt32(number)
        guard fields.seen & bit == 0 else { return false }
        fields.seen |= bit
        switch number {
        case 0: return Self.required(value, &fields.requestId)
        case 1: return Self.required(value, &fields.keyId)
        case 2: return Self.optional(value, &fields.userId)
        case 3: return Self.required(value, &fields.platform)
        case 4: return Self.optional(value, &fields.provider)
        case 5: return Self.required(value, &fields.model)
        case 6: return Self.optional(value, &fields.upstreamModel)
        case 7: return Self.optional(value, &fields.error)
        case 8: return Self.required(value, &fields.startedAt)
        case 9: return Self.optional(value, &fields.leaseId)
        case 10:
            guard case .string(let text) = value, let outcome = Outcome(rawValue: text) else { return false }
            fields.outcome = outcome
            return true
        case 11: return self.integer(value, &fields.status)
        case 12: return self.integer(value, &fields.attempts)
        case 13: return self.integer(value, &fields.inputTokens)
        case 14: return self.integer(value, &fields.outputTokens)
        case 15: return self.integer(value, &fields.cacheReadTokens)
        case 16: return self.integer(value, &fields.cacheWriteTokens)
        case 17: return self.double(value, &fields.latencyMs, optional: false)
        case 18: return self.double(value, &fields.ttftMs, optional: true)
        case 19: return self.double(value, &fields.costUsd, optional: false)
        default:
            guard case .bool(let flag) = value else { return false }
            fields.stream = flag
            return true
        }
    }

    private static func required(_ value: Value, _ field: inout String?) -> Bool {
        guard case .string(let text) = value else { return false }
        field = text
        return true
    }

    private static func optional(_ value: Value, _ field: inout String?) -> Bool {
        switch value {
        case .string(let text): field = text
        case .null: field = nil
        default: return false
        }
        return true
    }

    private func integer(_ value: Value, _ field: inout Int?) -> Bool {
        guard case .number(let range, whole: true) = value, range.count <= 18 else { return false }
        var result = 0
        var position = range.lowerBound
        let negative = self.bytes[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        while position < range.upperBound {
            result = result * 10 + Int(self.bytes[position] &- UInt8(ascii: "0"))
            position += 1
        }
        field = negative ? -result : result
        return true
    }

    private func double(_ value: Value, _ field: inout Double?, optional: Bool) -> Bool {
        switch value {
        case .number(let range, _):
            let text = String(decoding: UnsafeBufferPointer(rebasing: self.bytes[range]), as: UTF8.self)
            guard let number = Double(text), number.isFinite else { return false }
            field = number
            return true
        case .null where optional:
            field = nil
            return true
        default:
            return false
        }
    }

    // MARK: - Tokens

    private mutating func skipSpace() {
        while self.index < self.bytes.count {
            switch self.bytes[self.index] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): self.index += 1
            default: return
            }
        }
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard self.index < self.bytes.count, self.bytes[self.index] == byte else { return false }
        self.index += 1
        return true
    }

    private func equals(_ range: Range<Int>, _ key: [UInt8]) -> Bool {
        guard range.count == key.count else { return false }
        var position = range.lowerBound
        for byte in key {
            guard self.bytes[position] == byte else { return false }
            position += 1
        }
        return true
    }

    /// A key's bytes between its quotes; nil for a key with an escape (JSONDecoder would unescape it).
    private mutating func keyBytes() -> Range<Int>? {
        guard self.take(UInt8(ascii: "\"")) else { return nil }
        let start = self.index
        while self.index < self.bytes.count {
            let byte = self.bytes[self.index]
            if byte == UInt8(ascii: "\"") {
                self.index += 1
                return start..<(self.index - 1)
            }
            guard byte != UInt8(ascii: "\\"), byte >= 0x20 else { return nil }
            self.index += 1
        }
        return nil
    }

    private mutating func value() -> Value? {
        guard self.index < self.bytes.count else { return nil }
        switch self.bytes[self.index] {
        case UInt8(ascii: "\""): return self.string().map(Value.string)
        case UInt8(ascii: "t"): return self.literal("true") ? .bool(true) : nil
        case UInt8(ascii: "f"): return self.literal("false") ? .bool(false) : nil
        case UInt8(ascii: "n"): return self.literal("null") ? .null : nil
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return self.number()
        default: return nil
        }
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard self.index + count <= self.bytes.count else { return false }
        for offset in 0..<count where self.bytes[self.index + offset] != word.utf8Start[offset] { return false }
        self.index += count
        return true
    }

    /// A number as RFC 8259 writes it; `whole` when it has neither fraction nor exponent.
    private mutating func number() -> Value? {
        let start = self.index
        _ = self.take(UInt8(ascii: "-"))
        let first = self.index
        let count = self.digits()
        guard count > 0, count == 1 || self.bytes[first] != UInt8(ascii: "0") else { return nil }  // no leading 0
        var whole = true
        if self.take(UInt8(ascii: ".")) {
            whole = false
            guard self.digits() > 0 else { return nil }
        }
        if self.take(UInt8(ascii: "e")) || self.take(UInt8(ascii: "E")) {
            whole = false
            if !self.take(UInt8(ascii: "+")) { _ = self.take(UInt8(ascii: "-")) }
            guard self.digits() > 0 else { return nil }
        }
        return .number(start..<self.index, whole: whole)
    }

    private mutating func digits() -> Int {
        let start = self.index
        while self.index < self.bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self.bytes[self.index]) {
            self.index += 1
        }
        return self.index - start
    }

    /// A string's text, escapes resolved; nil for bytes that are not UTF-8, a control character, or an
    /// escape JSON does not have.
    private mutating func string() -> String? {
        let quote = self.index
        self.index += 1
        let start = self.index
        var escaped = false
        while self.index < self.bytes.count {
            let byte = self.bytes[self.index]
            self.index += 1
            switch byte {
            case UInt8(ascii: "\""):
                // The common case, no escape: one copy. A string with escapes (rare: an error's quotes or
                // lines) is read by LLMWire's JSON parser.
                let body = UnsafeBufferPointer(rebasing: self.bytes[start..<(self.index - 1)])
                guard escaped else { return String(validating: body, as: UTF8.self) }
                return (try? JSONValue.parse(UnsafeBufferPointer(rebasing: self.bytes[quote..<self.index])))?
                    .stringValue
            case UInt8(ascii: "\\"):
                escaped = true
                guard self.index < self.bytes.count else { return nil }
                // A surrogate escape (\uD800–\uDFFF): JSONDecoder refuses a lone one, LLMWire's parser
                // would not; JSONDecoder decides.
                if self.bytes[self.index] == UInt8(ascii: "u"), self.index + 2 < self.bytes.count,
                    self.bytes[self.index + 1] | 0x20 == UInt8(ascii: "d"),
                    (UInt8(ascii: "8")...UInt8(ascii: "9")).contains(self.bytes[self.index + 2])
                        || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(self.bytes[self.index + 2] | 0x20)
                {
                    return nil
                }
                self.index += 1
            case 0x00..<0x20:
                return nil
            default:
                break
            }
        }
        return nil
    }
}
