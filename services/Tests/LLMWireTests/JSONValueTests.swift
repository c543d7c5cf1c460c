import Foundation
import LLMWire
import Testing

@Suite("JSON values")
struct JSONValueTests {
    @Test("Integers stay integers and fractions stay numbers through a round trip")
    func numbersRoundTrip() throws {
        let value = try json(
            #"{"a":1,"b":-7,"c":1.0,"d":2.5,"e":1e3,"f":9223372036854775807,"g":0}"#
        )
        #expect(value["a"] == .integer(1))
        #expect(value["b"] == .integer(-7))
        #expect(value["c"] == .number(1.0))
        #expect(value["d"] == .number(2.5))
        #expect(value["e"] == .number(1000))
        #expect(value["f"] == .integer(Int.max))
        let text = value.jsonText
        #expect(text.contains(#""a":1,"#))
        #expect(text.contains(#""c":1.0,"#))
        #expect(try json(value.serialized()) == value)
    }

    @Test("An integer too large for Int becomes a number")
    func hugeInteger() throws {
        #expect(
            try json("123456789012345678901234567890")
                == .number(123_456_789_012_345_678_901_234_567_890.0)
        )
    }

    @Test("Unicode and escapes survive a round trip")
    func stringsRoundTrip() throws {
        let original: JSONValue = [
            "quote": "say \"hi\"", "backslash": #"C:\path"#, "controls": "a\nb\tc\r\u{01}\u{1F}",
            "unicode": "héllo 世界 😀 \u{2028}", "slash": "a/b",
        ]
        let bytes = original.serialized()
        #expect(String(validating: bytes, as: UTF8.self) != nil)
        let text = text(bytes)
        #expect(text.contains(#""a\nb\tc\r\u0001\u001f""#))
        #expect(text.contains(#""say \"hi\"""#))
        #expect(text.contains("😀"))
        #expect(try json(bytes) == original)
    }

    @Test("Escape sequences decode, surrogate pairs join and lone surrogates become U+FFFD")
    func escapesDecode() throws {
        let value = try json(#"["\u00e9\/\b\f", "\ud83d\ude00", "\ud83d", "x\udc00y"]"#)
        #expect(value == ["é/\u{08}\u{0C}", "😀", "\u{FFFD}", "x\u{FFFD}y"])
    }

    @Test("Nested values round trip and keys serialize sorted")
    func nested() throws {
        let value: JSONValue = ["b": [1, [true, nil], ["x": 2.25]], "a": [:], "c": []]
        #expect(value.jsonText == #"{"a":{},"b":[1,[true,null],{"x":2.25}],"c":[]}"#)
        #expect(try json(value.serialized()) == value)
    }

    @Test("Whitespace around values is accepted")
    func whitespace() throws {
        #expect(try json(" \n\t{ \"a\" : [ 1 , 2 ] }\r\n ") == ["a": [1, 2]])
    }

    @Test(
        "Malformed input throws malformedJSON",
        arguments: [
            "", "{", "[1,]", #"{"a":1,}"#, "01", "1.", "-", "tru", #""abc"#, "{} {}", #"{"a" 1}"#,
            "\"a\nb\"", #""\x""#, "1e400", #""\u12""#, "[1 2]", "{1:2}",
        ]
    )
    func malformed(input: String) {
        #expect(throws: WireError.self) { try json(input) }
    }

    @Test("Invalid UTF-8 inside a string is refused")
    func invalidUTF8() {
        let bytes: [UInt8] = [0x22, 0xC3, 0x28, 0x22]
        #expect {
            try JSONValue.parse(bytes)
        } throws: { error in
            guard case .malformedJSON(let detail) = error as? WireError else { return false }
            return detail.contains("UTF-8")
        }
    }

    @Test("Nesting deeper than the limit is refused rather than crashing")
    func deepNesting() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: WireError.self) { try json(deep) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect((try? json(fine)) != nil)
    }

    @Test("Accessors return values of their own type only")
    func accessors() throws {
        let value = try json(#"{"s":"x","i":3,"n":3.0,"f":3.5,"b":false,"a":[1],"o":{"k":null}}"#)
        #expect(value["s"]?.stringValue == "x")
        #expect(value["i"]?.intValue == 3)
        #expect(value["n"]?.intValue == 3)
        #expect(value["f"]?.intValue == nil)
        #expect(value["f"]?.doubleValue == 3.5)
        #expect(value["b"]?.boolValue == false)
        #expect(value["a"]?.arrayValue == [1])
        #expect(value["o"]?.objectValue == ["k": .null])
        #expect(value["s"]?.intValue == nil)
        #expect(value["missing"] == nil)
        #expect(value["a"]?["k"] == nil)
        #expect(value["a"]?[0] == 1)
        #expect(value["a"]?[1] == nil)
    }

    @Test("Codable encodes and decodes through Foundation's JSON coders")
    func codable() throws {
        let value: JSONValue = ["count": 2, "ratio": 0.5, "name": "n", "list": [true, nil]]
        let data = try JSONEncoder().encode(value)
        let decoded = try JSONDecoder().decode(JSONValue.self, from: data)
        #expect(decoded == value)
        #expect(decoded["count"] == .integer(2))
    }
}
