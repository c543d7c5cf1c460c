import LLMWire

/// Writes one flat JSON object byte by byte: the fast path of event payloads.
///
/// Strings are escaped as RFC 8259 requires; non-finite numbers (never produced) become `null`.
/// The caller writes members in the order they should appear.
public struct EventJSONWriter {
    private var output: [UInt8]
    private var empty = true

    public init(capacity: Int) {
        self.output = []
        self.output.reserveCapacity(capacity)
        self.output.append(UInt8(ascii: "{"))
    }

    public mutating func member(_ key: StaticString, string value: String) {
        self.key(key)
        Self.writeString(value, to: &self.output)
    }

    public mutating func member(_ key: StaticString, integer value: Int) {
        self.key(key)
        self.output.append(contentsOf: String(value).utf8)
    }

    public mutating func member(_ key: StaticString, number value: Double) {
        self.key(key)
        self.output.append(contentsOf: (value.isFinite ? "\(value)" : "null").utf8)
    }

    public mutating func member(_ key: StaticString, bool value: Bool) {
        self.key(key)
        self.output.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// A value written as it is: a number the caller formatted.
    public mutating func member(_ key: StaticString, raw value: String) {
        self.key(key)
        self.output.append(contentsOf: value.utf8)
    }

    /// The object, closed.
    public consuming func finish() -> [UInt8] {
        self.output.append(UInt8(ascii: "}"))
        return self.output
    }

    /// Keys are plain ASCII literals: written without escaping.
    private mutating func key(_ key: StaticString) {
        if !self.empty { self.output.append(UInt8(ascii: ",")) }
        self.empty = false
        self.output.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { self.output.append(contentsOf: $0) }
        self.output.append(contentsOf: #"":"#.utf8)
    }

    private static func writeString(_ string: String, to output: inout [UInt8]) {
        JSONText.appendString(string, to: &output)
    }
}
