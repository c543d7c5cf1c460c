import Crypto

/// A SHA-256 digest, written `sha256:` and 64 lowercase hex digits as OCI descriptors spell it.
public struct SHA256Digest: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The 64 hex digits.
    public var hex: String

    public init(hex: String) {
        self.hex = hex
    }

    init(_ digest: SHA256.Digest) {
        self.hex = digest.map { byte in
            let digits = String(byte, radix: 16)
            return byte < 16 ? "0" + digits : digits
        }.joined()
    }

    /// The digest of `bytes`.
    public static func of(_ bytes: [UInt8]) -> SHA256Digest {
        SHA256Digest(SHA256.hash(data: bytes))
    }

    public var description: String { "sha256:" + self.hex }

    public static func < (left: SHA256Digest, right: SHA256Digest) -> Bool { left.hex < right.hex }
}
