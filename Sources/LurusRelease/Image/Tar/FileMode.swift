/// A file's permission bits (`0o755`), written as an octal literal and shown in octal.
public struct FileMode: Sendable, Hashable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    public var rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    public init(integerLiteral value: UInt32) {
        self.rawValue = value
    }

    /// `0755`, as `ls -l` and `chmod` users read it.
    public var description: String {
        let digits = String(self.rawValue, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
