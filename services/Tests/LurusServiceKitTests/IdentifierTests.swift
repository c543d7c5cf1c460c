import LurusServiceKit
import Testing

/// Hex text and request ids.
@Suite("Hex and request ids")
struct IdentifierTests {
    @Test(
        "bytes become two lower-case hex digits each, in order",
        arguments: [
            ([], ""), ([0x00], "00"), ([0x0F, 0xA0, 0xFF], "0fa0ff"),
            (Array(0...15), "000102030405060708090a0b0c0d0e0f"),
        ]
            as [([UInt8], String)]
    )
    func hex(bytes: [UInt8], text: String) {
        #expect(Hex.lowercase(bytes) == text)
    }

    @Test("request ids are req_ and 32 hex digits, and do not repeat")
    func requestIDs() {
        let ids = (0..<10_000).map { _ in RequestID.make() }
        #expect(Set(ids).count == ids.count)
        for id in ids.prefix(100) {
            #expect(id.hasPrefix("req_"))
            #expect(id.dropFirst(4).count == 32)
            #expect(id.dropFirst(4).allSatisfy { "0123456789abcdef".contains($0) })
        }
    }

    @Test("durations in whole nanoseconds and fractional milliseconds")
    func durationUnits() {
        #expect(Duration.milliseconds(1500).nanoseconds == 1_500_000_000)
        #expect(Duration.microseconds(2500).milliseconds == 2.5)
        #expect(Duration.seconds(3).milliseconds == 3000)
    }
}
