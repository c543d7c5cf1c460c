/// A secret's value and its name. Printing, interpolating or dumping it shows only `<secret NAME>`.
///
/// The value is reached only through `bytes` and `text`, so it appears where a caller asks for it (a
/// command's stdin, a 0600 file) and nowhere by accident.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The secret's name, as in `secrets:` or as the component asks for it (`postgres/billing`).
    public let name: String
    /// The value.
    public let bytes: [UInt8]

    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }

    /// The value as text (invalid UTF-8 is replaced, so use `bytes` for binary values).
    public var text: String { String(decoding: self.bytes, as: UTF8.self) }

    public var description: String { "<secret \(self.name)>" }
    public var debugDescription: String { self.description }
    /// `dump(secret)` and debuggers see the name only.
    public var customMirror: Mirror { Mirror(self, children: ["name": self.name], displayStyle: .struct) }
}

/// Why a secret could not be had, and what to do; never contains a value.
public struct SecretError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The secret's name.
    public var name: String
    public var message: String
    public var hint: String

    public init(_ name: String, _ message: String, hint: String) {
        self.name = name
        self.message = message
        self.hint = hint
    }

    public var description: String { "secret \(self.name): \(self.message) (\(self.hint))" }
}

/// The rule for the names of generated secrets: `[a-z0-9][a-z0-9._-]*`, optionally in `/`-separated parts
/// (`postgres/billing`), each part a file or folder under the state directory's `secrets/`.
enum SecretName {
    static func isValid(_ name: String) -> Bool {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        return !parts.isEmpty && parts.allSatisfy(Self.isValidPart)
    }

    private static func isValidPart(_ part: Substring) -> Bool {
        guard let first = part.unicodeScalars.first, Self.isLowerAlphanumeric(first) else { return false }
        return part.unicodeScalars.allSatisfy { Self.isLowerAlphanumeric($0) || "._-".unicodeScalars.contains($0) }
    }

    private static func isLowerAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    static func refusal(_ name: String) -> SecretError {
        SecretError(
            name,
            "'\(name)' is not a secret name",
            hint:
                "use lowercase letters, digits, '.', '_' and '-', starting with a letter or digit; '/' separates parts"
        )
    }
}
