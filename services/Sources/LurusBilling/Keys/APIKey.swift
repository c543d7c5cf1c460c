import Crypto

/// A client API key as issued: `sk-lurus-` and 40 base-62 characters (238 bits of randomness). Shown once,
/// stored only as its SHA-256 and its first 14 characters (`prefix`), by which a person finds a key in a
/// listing or a leaked one in a log.
public struct IssuedKey: Sendable {
    public let secret: String

    public static let scheme = "sk-lurus-"
    static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    /// A new key from the system's secure random source.
    public static func generate() -> IssuedKey {
        var generator = SystemRandomNumberGenerator()
        let body = String((0..<40).map { _ in Self.alphabet[Int(generator.next(upperBound: UInt8(62)))] })
        return IssuedKey(secret: Self.scheme + body)
    }

    init(secret: String) {
        self.secret = secret
    }

    /// What listings show: the scheme and the first five characters after it.
    public var prefix: String { String(self.secret.prefix(Self.scheme.count + 5)) }

    /// Lower-case hex SHA-256 of the key, as the gateway's keys file and `/v1/keys` carry it.
    public var sha256: String { Self.sha256(of: self.secret) }

    public static func sha256(of key: String) -> String {
        SHA256.hash(data: Array(key.utf8)).map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
    }
}

/// Random identifiers: `usr_`, `key_` and 16 hex digits.
enum Identifier {
    static func make(_ kind: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let value = generator.next() as UInt64
        let hex = String(value, radix: 16)
        return kind + "_" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// A key that works now, as the gateway is told of it (`GET /v1/keys`).
public struct ActiveKey: Sendable, Hashable {
    public var id: String
    public var sha256: String
    public var userID: String
}
