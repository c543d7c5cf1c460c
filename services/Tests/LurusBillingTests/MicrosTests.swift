import Testing

@testable import LurusBilling

/// Money as integers: parsing dollars exactly, rounding event costs, printing.
@Suite struct MicrosTests {
    @Test func decimalDollarsAreExact() {
        #expect(Micros(decimal: "12.5") == Micros(12_500_000))
        #expect(Micros(decimal: "0.000001") == Micros(1))
        #expect(Micros(decimal: "-3") == Micros(-3_000_000))
        #expect(Micros(decimal: "7") == Micros(7_000_000))
        for bad in ["", "1.", ".5", "1.0000001", "1e3", "abc", "1.2.3", "--1", "١٢"] {
            #expect(Micros(decimal: bad) == nil, "\(bad)")
        }
    }

    @Test func eventCostsRoundToTheNearestMicroDollar() {
        // 1234 input tokens at $3/M and 56 output at $15/M: 0.003702 + 0.00084 = 0.004542 USD.
        let cost = 1234 * 3.0 / 1_000_000 + 56 * 15.0 / 1_000_000
        #expect(Micros(usd: cost) == Micros(4542))
        #expect(Micros(usd: 0.0000004) == Micros(0))
        #expect(Micros(usd: 0.0000005) == Micros(1))
        #expect(Micros(usd: .nan) == nil)
        #expect(Micros(usd: .infinity) == nil)
    }

    @Test func printsExactDecimals() {
        #expect(Micros(12_500_000).description == "12.500000")
        #expect(Micros(-1).description == "-0.000001")
        #expect(Micros(0).description == "0.000000")
    }
}
