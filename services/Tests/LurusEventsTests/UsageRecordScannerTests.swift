import Foundation
import Testing

@testable import LurusEvents

/// The byte scanner reads every record the way JSONDecoder does, and leaves to JSONDecoder what it is not
/// sure of: the same record, or the same error naming the same field.
@Suite("Usage record scanner")
struct UsageRecordScannerTests {
    /// The scanner's answer, when it gives one, is JSONDecoder's; decode() is JSONDecoder's either way.
    static func agree(_ payload: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        let reference = Result { () throws(EventDecodingError) in try UsageRecord.decodeWithFoundation(payload) }
        if let scanned = UsageRecordScanner.scan(payload) {
            #expect(
                (try? reference.get()) == scanned,
                "scanned \(String(decoding: payload, as: UTF8.self))",
                sourceLocation: sourceLocation
            )
        }
        let decoded = Result { () throws(EventDecodingError) in try UsageRecord.decode(payload) }
        switch (decoded, reference) {
        case (.success(let a), .success(let b)): #expect(a == b, sourceLocation: sourceLocation)
        case (.failure(let a), .failure(let b)): #expect(a == b, sourceLocation: sourceLocation)
        default:
            Issue.record("decode and JSONDecoder differ on \(String(decoding: payload, as: UTF8.self))")
        }
    }

    static let texts = [
        "", "a", "team-a", "quote \" backslash \\ slash /", "line\nfeed\ttab\r\u{8}\u{c}", "nul \u{0} \u{1f}",
        "é ü ß 中文 🎉", "\u{2028}\u{2029}", String(repeating: "x", count: 300),
    ]

    @Test("records the gateway writes, with every kind of string and number, read the same")
    func generated() {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<2000 {
            func text() -> String { Self.texts[Int(generator.next(upperBound: UInt(Self.texts.count)))] }
            func maybe<T>(_ value: T) -> T? { generator.next(upperBound: 3 as UInt) == 0 ? nil : value }
            let record = UsageRecord(
                requestId: "req_" + String(round),
                keyId: text(),
                platform: text(),
                provider: maybe(text()),
                model: text(),
                upstreamModel: maybe(text()),
                status: Int(generator.next(upperBound: 600 as UInt)),
                outcome: Outcome.allCases[Int(generator.next(upperBound: UInt(Outcome.allCases.count)))],
                error: maybe(text()),
                stream: generator.next(upperBound: 2 as UInt) == 0,
                attempts: Int(generator.next(upperBound: 5 as UInt)),
                latencyMs: Double(generator.next(upperBound: 1_000_000_000 as UInt64)) / 997,
                ttftMs: maybe(Double(generator.next(upperBound: 100_000 as UInt64)) * 1e-3),
                inputTokens: Int(generator.next(upperBound: 2_000_000 as UInt)),
                outputTokens: Int(generator.next(upperBound: 200_000 as UInt)),
                cacheReadTokens: Int(generator.next(upperBound: 10_000 as UInt)),
                cacheWriteTokens: Int(generator.next(upperBound: 10_000 as UInt)),
                costUsd: [0, 2e-05, 1e-9, 123.456789, Double(generator.next(upperBound: 1_000_000 as UInt64)) / 1e9][
                    Int(generator.next(upperBound: 5 as UInt))
                ],
                startedAt: "2026-12-03T10:00:00.\(round % 1000)Z",
                leaseId: maybe("lease_" + String(round)),
                userId: maybe(text())
            )
            #expect(UsageRecordScanner.scan(record.encoded()) == record, "the fast path reads what it writes")
            Self.agree(record.encoded())
            // The same record as JSONSerialization writes it (other key order, escapes, spacing).
            if let data = try? JSONEncoder().encode(record),
                let object = try? JSONSerialization.jsonObject(with: data),
                let pretty = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted])
            {
                Self.agree(Array(pretty))
            }
        }
    }

    @Test(
        "odd but valid JSON and every kind of wrong payload get JSONDecoder's answer",
        arguments: [
            // Escapes, unknown fields, nulls, numbers written other ways.
            #"{"request_id":"r\u0041\ud83c\udf89","user_id":null,"extra":1,"more":"x","nested":{"a":[1]}}"#,
            #"{"status":200.0}"#, #"{"status":2e2}"#, #"{"status":-0}"#, #"{"status":012}"#,
            #"{"cost_usd":1E-7}"#, #"{"cost_usd":-0.0}"#, #"{"latency_ms":1e400}"#, #"{"ttft_ms":null}"#,
            #"{"outcome":"fine"}"#, #"{"outcome":null}"#, #"{"stream":"true"}"#, #"{"stream":1}"#,
            #"{"model":1}"#, #"{"model":null}"#, #"{"model":"a","model":"b"}"#, #"{"mod\u0065l":"x"}"#,
            #"{"error":"\x"}"#, #"{"error":"\ud800"}"#, #"{"error":"\udc00"}"#, "{\"error\":\"tab\u{9}raw\"}",
            #"{"attempts":99999999999999999999}"#, #"{"attempts":-5}"#, "{", "}", "[]", "null", "",
            #"{"a":1,}"#, #"{"a":1} x"#, #" {"a" : 1 } "#,
        ]
    )
    func oddPayloads(_ change: String) throws {
        // Each change applied to a whole record, so that only the changed field can be what is wrong.
        var fields = try #require(
            try JSONSerialization.jsonObject(with: Data(UsageRecordTests.full.encoded())) as? [String: Any]
        )
        if let data = change.data(using: .utf8), let patch = try? JSONSerialization.jsonObject(with: data),
            let object = patch as? [String: Any], !change.contains("\"model\":\"a\",\"model\"")
        {
            fields.merge(object) { $1 }
            Self.agree(Array(try JSONSerialization.data(withJSONObject: fields)))
        }
        // And the text as it is, spliced into the record where it is an object's members.
        let whole = String(decoding: UsageRecordTests.full.encoded(), as: UTF8.self)
        if change.hasPrefix("{"), change.hasSuffix("}"), change.count > 2 {
            Self.agree(Array((String(whole.dropLast()) + "," + change.dropFirst()).utf8))
        }
        Self.agree(Array(change.utf8))
    }

    @Test("invalid UTF-8 in a string is JSONDecoder's error, not a replacement character")
    func invalidUTF8() {
        var payload = UsageRecordTests.full.encoded()
        let model = Array(#""model":"m""#.utf8)
        let at = payload.indices.first { payload[$0...].starts(with: model) }!
        payload[at + model.count - 2] = 0xFF
        #expect(UsageRecordScanner.scan(payload) == nil)
        Self.agree(payload)
    }
}
