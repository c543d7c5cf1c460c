extension JSONValue {
    /// Parses one JSON text (RFC 8259), with optional surrounding whitespace and a leading BOM.
    ///
    /// Integers without a fraction or exponent that fit in `Int` become ``integer(_:)``; other
    /// numbers become ``number(_:)``. A repeated object key keeps its last value; an escaped lone
    /// surrogate becomes U+FFFD. Throws ``WireError/malformedJSON(_:)`` naming the problem and its
    /// byte offset.
    public static func parse(_ bytes: some Collection<UInt8>) throws(WireError) -> JSONValue {
        var parser = JSONParser(bytes: Array(bytes))
        return try parser.parseDocument()
    }
}

/// A recursive-descent JSON parser over UTF-8 bytes.
private struct JSONParser {
    /// How deeply arrays and objects may nest before the input is refused.
    static let maximumDepth = 512

    let bytes: [UInt8]
    var offset = 0
    var depth = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { self.offset = 3 }
    }

    mutating func parseDocument() throws(WireError) -> JSONValue {
        self.skipWhitespace()
        let value = try self.parseValue()
        self.skipWhitespace()
        guard self.offset == self.bytes.count else {
            throw self.failure("unexpected data after the value")
        }
        return value
    }

    private var current: UInt8? { self.offset < self.bytes.count ? self.bytes[self.offset] : nil }

    private func failure(_ problem: String) -> WireError {
        .malformedJSON("\(problem) at byte \(self.offset)")
    }

    private mutating func skipWhitespace() {
        while let byte = self.current, [0x20, 0x0A, 0x0D, 0x09].contains(byte) {
            self.offset += 1
        }
    }

    private mutating func parseValue() throws(WireError) -> JSONValue {
        guard let byte = self.current else { throw self.failure("unexpected end of input") }
        switch byte {
        case UInt8(ascii: "{"): return try self.parseObject()
        case UInt8(ascii: "["): return try self.parseArray()
        case UInt8(ascii: "\""): return .string(try self.parseString())
        case UInt8(ascii: "t"): return try self.parseLiteral("true", as: .bool(true))
        case UInt8(ascii: "f"): return try self.parseLiteral("false", as: .bool(false))
        case UInt8(ascii: "n"): return try self.parseLiteral("null", as: .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try self.parseNumber()
        default: throw self.failure("unexpected character")
        }
    }

    private mutating func parseLiteral(
        _ word: String,
        as value: JSONValue
    ) throws(WireError) -> JSONValue {
        let end = self.offset + word.utf8.count
        guard end <= self.bytes.count, self.bytes[self.offset..<end].elementsEqual(word.utf8) else {
            throw self.failure("invalid literal")
        }
        self.offset = end
        return value
    }

    private mutating func enterContainer() throws(WireError) {
        self.depth += 1
        guard self.depth <= Self.maximumDepth else { throw self.failure("nesting too deep") }
        self.offset += 1
        self.skipWhitespace()
    }

    private mutating func parseObject() throws(WireError) -> JSONValue {
        try self.enterContainer()
        var members: [String: JSONValue] = [:]
        if self.current == UInt8(ascii: "}") {
            self.offset += 1
            self.depth -= 1
            return .object(members)
        }
        while true {
            guard self.current == UInt8(ascii: "\"") else {
                throw self.failure("expected a member name")
            }
            let key = try self.parseString()
            self.skipWhitespace()
            guard self.current == UInt8(ascii: ":") else { throw self.failure("expected ':'") }
            self.offset += 1
            self.skipWhitespace()
            members[key] = try self.parseValue()
            self.skipWhitespace()
            switch self.current {
            case UInt8(ascii: ","):
                self.offset += 1
                self.skipWhitespace()
            case UInt8(ascii: "}"):
                self.offset += 1
                self.depth -= 1
                return .object(members)
            default:
                throw self.failure("expected ',' or '}'")
            }
        }
    }

    private mutating func parseArray() throws(WireError) -> JSONValue {
        try self.enterContainer()
        var elements: [JSONValue] = []
        if self.current == UInt8(ascii: "]") {
            self.offset += 1
            self.depth -= 1
            return .array(elements)
        }
        while true {
            elements.append(try self.parseValue())
            self.skipWhitespace()
            switch self.current {
            case UInt8(ascii: ","):
                self.offset += 1
                self.skipWhitespace()
            case UInt8(ascii: "]"):
                self.offset += 1
                self.depth -= 1
                return .array(elements)
            default:
                throw self.failure("expected ',' or ']'")
            }
        }
    }

    private mutating func parseNumber() throws(WireError) -> JSONValue {
        let start = self.offset
        var isInteger = true
        if self.current == UInt8(ascii: "-") { self.offset += 1 }
        if self.current == UInt8(ascii: "0") {
            self.offset += 1
        } else {
            guard self.skipDigits() > 0 else { throw self.failure("invalid number") }
        }
        if self.current == UInt8(ascii: ".") {
            isInteger = false
            self.offset += 1
            guard self.skipDigits() > 0 else { throw self.failure("invalid number") }
        }
        if self.current == UInt8(ascii: "e") || self.current == UInt8(ascii: "E") {
            isInteger = false
            self.offset += 1
            if self.current == UInt8(ascii: "+") || self.current == UInt8(ascii: "-") {
                self.offset += 1
            }
            guard self.skipDigits() > 0 else { throw self.failure("invalid number") }
        }
        let text = String(decoding: self.bytes[start..<self.offset], as: UTF8.self)
        if isInteger, let value = Int(text) { return .integer(value) }
        guard let value = Double(text), value.isFinite else {
            throw self.failure("number out of range")
        }
        return .number(value)
    }

    /// Skips ASCII digits and returns how many there were.
    private mutating func skipDigits() -> Int {
        let start = self.offset
        while let byte = self.current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
            self.offset += 1
        }
        return self.offset - start
    }

    private mutating func parseString() throws(WireError) -> String {
        self.offset += 1
        let start = self.offset
        // Fast path: no escapes.
        while let byte = self.current, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\"),
            byte >= 0x20
        {
            self.offset += 1
        }
        if self.current == UInt8(ascii: "\"") {
            let slice = self.bytes[start..<self.offset]
            self.offset += 1
            guard let string = String(validating: slice, as: UTF8.self) else {
                throw self.failure("invalid UTF-8 in string")
            }
            return string
        }
        var buffer = Array(self.bytes[start..<self.offset])
        while true {
            guard let byte = self.current else { throw self.failure("unterminated string") }
            switch byte {
            case UInt8(ascii: "\""):
                self.offset += 1
                guard let string = String(validating: buffer, as: UTF8.self) else {
                    throw self.failure("invalid UTF-8 in string")
                }
                return string
            case UInt8(ascii: "\\"):
                self.offset += 1
                try self.parseEscape(into: &buffer)
            case 0x00..<0x20:
                throw self.failure("unescaped control character in string")
            default:
                buffer.append(byte)
                self.offset += 1
            }
        }
    }

    private mutating func parseEscape(into buffer: inout [UInt8]) throws(WireError) {
        guard let byte = self.current else { throw self.failure("unterminated string") }
        self.offset += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(byte)
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
            let scalar = try self.parseUnicodeEscape()
            buffer.append(contentsOf: String(Character(scalar)).utf8)
        default:
            self.offset -= 1
            throw self.failure("invalid escape")
        }
    }

    /// Parses the hex digits after `\u`, joining a surrogate pair; a lone surrogate gives U+FFFD.
    private mutating func parseUnicodeEscape() throws(WireError) -> Unicode.Scalar {
        let unit = try self.parseHex4()
        switch unit {
        case 0xD800..<0xDC00:
            let mark = self.offset
            if self.current == UInt8(ascii: "\\"), self.offset + 1 < self.bytes.count,
                self.bytes[self.offset + 1] == UInt8(ascii: "u")
            {
                self.offset += 2
                let low = try self.parseHex4()
                if (0xDC00..<0xE000).contains(low) {
                    let value = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                    return Unicode.Scalar(value) ?? "\u{FFFD}"
                }
                self.offset = mark
            }
            return "\u{FFFD}"
        case 0xDC00..<0xE000:
            return "\u{FFFD}"
        default:
            return Unicode.Scalar(unit) ?? "\u{FFFD}"
        }
    }

    private mutating func parseHex4() throws(WireError) -> UInt32 {
        guard self.offset + 4 <= self.bytes.count else { throw self.failure("invalid \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = self.bytes[self.offset]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"):
                digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"):
                digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw self.failure("invalid \\u escape")
            }
            value = value << 4 | digit
            self.offset += 1
        }
        return value
    }
}
