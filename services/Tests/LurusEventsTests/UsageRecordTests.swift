import Foundation
import Testing

@testable import LurusEvents

/// The usage record's wire format: what the gateway writes, consumers read back the same.
@Suite("Usage record on the wire")
struct UsageRecordTests {
    static let full = UsageRecord(
        requestId: "req_0123456789abcdef0123456789abcdef",
        keyId: "team-a",
        platform: "openai",
        provider: "alpha",
        model: "m",
        upstreamModel: "m-2026",
        status: 200,
        outcome: .ok,
        error: nil,
        stream: true,
        attempts: 1,
        latencyMs: 1.5,
        ttftMs: 0.5,
        inputTokens: 12,
        outputTokens: 4,
        cacheReadTokens: 3,
        cacheWriteTokens: 0,
        costUsd: 2e-05,
        startedAt: "2026-11-22T08:00:00.000Z"
    )

    static var failed: UsageRecord {
        var record = Self.full
        record.provider = nil
        record.upstreamModel = nil
        record.ttftMs = nil
        record.status = 503
        record.outcome = .upstreamError
        record.error = "every provider failed: \"alpha\": HTTP 500\n\tline two \u{1}"
        record.costUsd = 0
        return record
    }

    @Test("the payload is compact JSON with sorted snake_case keys, the bytes the gateway always sent")
    func golden() {
        let text = String(decoding: Self.full.encoded(), as: UTF8.self)
        #expect(
            text
                == #"{"attempts":1,"cache_read_tokens":3,"cache_write_tokens":0,"cost_usd":2e-05,"#
                + #""input_tokens":12,"key_id":"team-a","latency_ms":1.5,"model":"m","outcome":"ok","#
                + #""output_tokens":4,"platform":"openai","provider":"alpha","#
                + #""request_id":"req_0123456789abcdef0123456789abcdef","started_at":"2026-11-22T08:00:00.000Z","#
                + #""status":200,"stream":true,"ttft_ms":0.5,"upstream_model":"m-2026"}"#
        )
    }

    @Test("absent optionals are left out; strings are escaped")
    func absentAndEscaped() throws {
        let text = String(decoding: Self.failed.encoded(), as: UTF8.self)
        #expect(!text.contains(#""provider":"#) && !text.contains("upstream_model") && !text.contains("ttft_ms"))
        #expect(text.contains(#""error":"every provider failed: \"alpha\": HTTP 500\n\tline two \u0001""#))
        // Foundation's parser agrees the escapes are valid JSON.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(Self.failed.encoded())) as? [String: Any])
        #expect(object["error"] as? String == Self.failed.error)
    }

    @Test(
        "what the fast path writes decodes to the same record",
        arguments: [Self.full, Self.failed]
            + Outcome.allCases.map { outcome in
                var record = Self.full
                record.outcome = outcome
                return record
            }
    )
    func roundTrip(record: UsageRecord) throws {
        #expect(try UsageRecord.decode(record.encoded()) == record)
    }

    @Test("JSONEncoder's output (another producer's) decodes too, and so does a record with extra fields")
    func otherProducers() throws {
        let encoded = try JSONEncoder().encode(Self.full)
        #expect(try UsageRecord.decode(Array(encoded)) == Self.full)
        var text = String(decoding: Self.full.encoded(), as: UTF8.self)
        text.removeLast()
        text += #","reservation_id":"res_1"}"#
        #expect(try UsageRecord.decode(Array(text.utf8)) == Self.full)
    }

    @Test("the outcome's wire strings are the ones consumers were told")
    func outcomeStrings() {
        #expect(
            Outcome.allCases.map(\.rawValue) == [
                "ok", "client_error", "refused", "upstream_error", "stream_error", "client_closed",
            ]
        )
    }

    @Test("an unknown outcome names the field, the value and the known outcomes")
    func unknownOutcome() {
        let payload = Self.full.encoded().replacing(
            Array(#""outcome":"ok""#.utf8),
            with: Array(#""outcome":"exploded""#.utf8)
        )
        #expect {
            try UsageRecord.decode(payload)
        } throws: { error in
            guard let error = error as? EventDecodingError else { return false }
            return error.field == "outcome"
                && error.description.hasPrefix(
                    #"usage record: field outcome "exploded" is not a known outcome (ok, client_error, refused, "#
                        + "upstream_error, stream_error, client_closed); payload starts {"
                )
        }
    }

    @Test(
        "a missing field, a wrong type or a payload that is not JSON is an error naming what is wrong",
        arguments: [
            (#"{"request_id":"req_1"}"#, "key_id", "is missing"),
            (#"{"request_id":7}"#, "request_id", "is not a string"),
            ("not json", "", "is not JSON"),
        ]
    )
    func malformed(payload: String, field: String, problem: String) {
        #expect {
            try UsageRecord.decode(Array(payload.utf8))
        } throws: { error in
            guard let error = error as? EventDecodingError else { return false }
            return error.field == field && error.problem.hasPrefix(problem)
                && error.description.contains(payload.prefix(10))
        }
    }
}
