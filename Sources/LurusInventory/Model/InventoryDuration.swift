/// A duration written as a number and a unit: `500ms`, `10s`, `5m`, `26h`, `30d`.
public struct InventoryDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var milliseconds: Int64
    public var text: String

    public var seconds: Double { Double(self.milliseconds) / 1000 }

    public var description: String { self.text }

    public static func < (lhs: InventoryDuration, rhs: InventoryDuration) -> Bool {
        lhs.milliseconds < rhs.milliseconds
    }

    static let units: [(suffix: String, milliseconds: Int64)] = [
        ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000), ("w", 604_800_000),
    ]

    /// Parses one number followed by one unit (`ms`, `s`, `m`, `h`, `d`, `w`); nil when it is not that.
    public static func parse(_ text: String) -> InventoryDuration? {
        let digits = text.prefix { $0.isASCIIDigit }
        let unit = text.dropFirst(digits.count)
        guard !digits.isEmpty, let value = Int64(digits),
            let factor = units.first(where: { $0.suffix == unit })?.milliseconds
        else { return nil }
        let (product, overflow) = value.multipliedReportingOverflow(by: factor)
        guard !overflow else { return nil }
        return InventoryDuration(milliseconds: product, text: text)
    }
}
