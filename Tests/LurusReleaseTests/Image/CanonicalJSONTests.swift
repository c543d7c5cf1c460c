import Testing

@testable import LurusRelease

/// JSON spelled one way only, and image names read strictly.
@Suite struct CanonicalJSONTests {
    func text(_ value: CanonicalJSON) -> String { String(decoding: value.bytes, as: UTF8.self) }

    @Test func keysAreSortedByBytesWithNoSpaces() {
        let value = CanonicalJSON.object([
            "b": .integer(-1), "a": .array([.string("x"), .object([:])]), "B": .string(""), "é": .integer(0),
            "a.b": .array([]),
        ])
        #expect(self.text(value) == #"{"B":"","a":["x",{}],"a.b":[],"b":-1,"é":0}"#)
    }

    @Test func onlyQuotesBackslashesAndControlsAreEscaped() {
        let value = CanonicalJSON.string("a\"b\\c\nd\te\r\u{1}/ü</>")
        #expect(self.text(value) == #""a\"b\\c\nd\te\r\u0001/ü</>""#)
    }

    @Test func imageNamesNeedATag() throws {
        let reference = try ImageReference(parsing: "lurus.local/gateway:20250101-abc123")
        #expect(reference.repository == "lurus.local/gateway")
        #expect(reference.tag == "20250101-abc123")
        #expect(reference.description == "lurus.local/gateway:20250101-abc123")
        #expect(try ImageReference(parsing: "localhost:5000/a/b:v1").repository == "localhost:5000/a/b")
    }

    @Test(arguments: [
        ("lurus.local/gateway", "has no tag"),
        ("localhost:5000/gateway", "has no tag"),
        ("lurus.local/Gateway:v1", "has a repository that is not lowercase letters, digits, . _ - and /"),
        ("lurus.local//gateway:v1", "has a repository that is not lowercase letters, digits, . _ - and /"),
        ("lurus.local/gateway:", "has a tag that is not 1 to 128 letters, digits, . _ -"),
        ("lurus.local/gateway:-x", "has a tag that is not 1 to 128 letters, digits, . _ -"),
        ("lurus.local/gateway:a b", "has a tag that is not 1 to 128 letters, digits, . _ -"),
    ])
    func badImageNamesAreRefused(name: String, reason: String) {
        #expect(throws: OCIImageError.invalidImageName(name, reason: reason)) { try ImageReference(parsing: name) }
    }
}
