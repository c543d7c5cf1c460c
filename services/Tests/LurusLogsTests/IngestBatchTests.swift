import LurusEvents
import Testing

@testable import LurusLogs

/// When a batch goes out, and what it keeps.
@Suite struct IngestBatchTests {
    static func row(_ id: String) -> LogRow {
        LogRow(
            UsageRecord(
                requestId: id,
                keyId: "k",
                platform: "openai",
                provider: "p",
                model: "m",
                upstreamModel: nil,
                status: 200,
                outcome: .ok,
                error: nil,
                stream: false,
                attempts: 1,
                latencyMs: 1,
                ttftMs: nil,
                inputTokens: 1,
                outputTokens: 1,
                cacheReadTokens: 0,
                cacheWriteTokens: 0,
                costUsd: 0.001,
                startedAt: "2026-12-03T05:31:59.123Z"
            )
        )!
    }

    @Test func dueAtTheRowLimitOrAfterTheWaitNotBefore() {
        let start = ContinuousClock.now
        var batch = IngestBatch<Int>()
        #expect(!batch.isDue(at: start + .seconds(100), maximumRows: 3, maximumWait: .seconds(1)), "empty: never")
        #expect(batch.remainingWait(at: start, maximumWait: .seconds(1)) == .seconds(1))
        batch.add(Self.row("a"), ticket: 1, at: start)
        batch.add(Self.row("b"), ticket: 2, at: start + .milliseconds(300))
        #expect(!batch.isDue(at: start + .milliseconds(999), maximumRows: 3, maximumWait: .seconds(1)))
        #expect(batch.remainingWait(at: start + .milliseconds(400), maximumWait: .seconds(1)) == .milliseconds(600))
        #expect(batch.isDue(at: start + .seconds(1), maximumRows: 3, maximumWait: .seconds(1)))
        batch.add(Self.row("c"), ticket: 3, at: start + .milliseconds(500))
        #expect(batch.isDue(at: start + .milliseconds(500), maximumRows: 3, maximumWait: .seconds(1)))
    }

    @Test func aRequestTwiceInABatchIsOneRowButBothAreAcknowledged() {
        let now = ContinuousClock.now
        var batch = IngestBatch<Int>()
        batch.add(Self.row("a"), ticket: 1, at: now)
        batch.add(Self.row("a"), ticket: 2, at: now)
        batch.add(nil, ticket: 3, at: now)  // unreadable
        batch.add(Self.row("b"), ticket: 4, at: now)
        #expect(batch.rows.map(\.record.requestId) == ["a", "b"])
        #expect(batch.tickets == [1, 2, 3, 4])
        #expect(batch.duplicatesWithin == 1)
    }

    @Test func aRowIsWrittenAsClickHouseReadsIt() {
        var record = Self.row("req_1").record
        record.costUsd = 0.000_012_345_6
        record.error = "tab\there \"quoted\""
        record.ttftMs = 12.5
        var line: [UInt8] = []
        LogRow(record)!.jsonLine(into: &line)
        let text = String(decoding: line, as: UTF8.self)
        #expect(text.hasSuffix("}\n"))
        #expect(text.contains(#""time":1796275919,"started_at_ms":1796275919123,"request_id":"req_1""#))
        #expect(text.contains(#""cost":0.000012346"#), "nano-dollars, rounded: \(text)")
        #expect(text.contains(#""error":"tab\there \"quoted\"""#))
        #expect(text.contains(#""ttft_ms":12.5"#))
        #expect(text.contains(#""provider":"p","model":"m","upstream_model":"""#))
        #expect(LogRow.nanoDollars(12.3) == 12_300_000_000)
        #expect(LogRow.nanoDollars(-1) == 0)
    }

    @Test func aBusyBatchGoesAtHalfTheWaitStillThousandsOfRows() {
        let start = ContinuousClock.now
        var batch = IngestBatch<Int>()
        for index in 0..<(IngestBatch<Int>.busyRows - 1) {
            batch.add(Self.row("r\(index)"), ticket: index, at: start)
        }
        #expect(!batch.isDue(at: start + .milliseconds(600), maximumRows: 10_000, maximumWait: .seconds(1)))
        #expect(batch.remainingWait(at: start + .milliseconds(600), maximumWait: .seconds(1)) == .milliseconds(400))
        batch.add(Self.row("last"), ticket: -1, at: start + .milliseconds(100))
        #expect(batch.rows.count == 2000)
        #expect(!batch.isDue(at: start + .milliseconds(499), maximumRows: 10_000, maximumWait: .seconds(1)))
        #expect(batch.isDue(at: start + .milliseconds(500), maximumRows: 10_000, maximumWait: .seconds(1)))
        #expect(batch.remainingWait(at: start + .milliseconds(300), maximumWait: .seconds(1)) == .milliseconds(200))
    }
}
