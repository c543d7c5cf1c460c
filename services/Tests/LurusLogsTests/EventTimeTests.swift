import Foundation
import Testing

@testable import LurusLogs

/// The gateway's `started_at` read without a date formatter, against Foundation's reading of the same.
@Suite struct EventTimeTests {
    @Test func readsTheGatewaysTimesAsFoundationDoes() throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let milliseconds = Int64.random(in: 0..<4_102_444_800_000, using: &generator)  // 1970 to 2100
            let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
            let text = formatter.string(from: date)
            #expect(EventTime.milliseconds(text) == milliseconds, "\(text)")
            #expect(EventTime.iso(milliseconds: milliseconds) == text)
        }
    }

    @Test func acceptsWholeSecondsOffsetsAndSpacesButNothingElse() {
        #expect(EventTime.milliseconds("2026-12-03T05:31:59Z") == 1_796_275_919_000)
        #expect(EventTime.milliseconds("2026-12-03 05:31:59.5Z") == 1_796_275_919_500)
        #expect(EventTime.milliseconds("2026-12-03T05:31:59.123+00:00") == 1_796_275_919_123)
        #expect(EventTime.milliseconds("2024-02-29T00:00:00Z") != nil)
        for bad in [
            "", "2026-12-03", "2026-12-03T05:31:59", "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z",
            "2026-12-03T24:00:00Z", "2026-12-03T05:31:59.Z", "2026-12-03T05:31:59+01:00", "2026-12-03T05:31:59Zjunk",
            "yesterday",
        ] {
            #expect(EventTime.milliseconds(bad) == nil, "\(bad)")
        }
    }
}
