/// An amount of money in micro-dollars (1 USD = 1,000,000): integers, so sums are exact.
public struct Micros: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var value: Int64

    public init(_ value: Int64) {
        self.value = value
    }

    /// `usd` rounded to the nearest micro-dollar (half away from zero); nil when it is not a finite amount
    /// within ±9 × 10^12 USD.
    public init?(usd: Double) {
        guard usd.isFinite, abs(usd) < 9e12 else { return nil }
        self.value = Int64((usd * 1_000_000).rounded(.toNearestOrAwayFromZero))
    }

    /// Parses a decimal dollar amount ("12.5", "0.000001", "-3"): at most six decimals, exactly.
    public init?(decimal text: String) {
        var text = Substring(text)
        let negative = text.first == "-"
        if negative { text = text.dropFirst() }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty,
            whole.allSatisfy({ $0.isASCII && $0.isNumber }),
            let dollars = Int64(whole), dollars < 9_000_000_000_000
        else { return nil }
        var micros: Int64 = 0
        if parts.count == 2 {
            let fraction = parts[1]
            guard !fraction.isEmpty, fraction.count <= 6, fraction.allSatisfy({ $0.isASCII && $0.isNumber }),
                let digits = Int64(fraction)
            else { return nil }
            micros = digits * Int64([1, 100_000, 10_000, 1_000, 100, 10, 1][fraction.count])
        }
        let value = dollars * 1_000_000 + micros
        self.value = negative ? -value : value
    }

    public static func < (lhs: Micros, rhs: Micros) -> Bool { lhs.value < rhs.value }

    public static let zero = Micros(0)

    /// Dollars as a JSON number (for the gateway's `balance`, which reads a number); never used for sums.
    public var usd: Double { Double(self.value) / 1_000_000 }

    /// Exact decimal dollars: "12.500000", "-0.000001".
    public var description: String {
        let magnitude = self.value.magnitude
        let fraction = String(magnitude % 1_000_000)
        return (self.value < 0 ? "-" : "") + "\(magnitude / 1_000_000)."
            + String(repeating: "0", count: 6 - fraction.count) + fraction
    }
}
