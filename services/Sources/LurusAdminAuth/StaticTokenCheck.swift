import Crypto

/// The static admin token's check: the SHA-256 of the presented token against the configured one,
/// compared in constant time, so neither the token nor how much of it matched leaks. Pure.
public struct StaticTokenCheck: Sendable, Equatable {
    /// The 32 bytes of the configured SHA-256.
    private let expected: [UInt8]

    /// Reads a 64-digit hex SHA-256 (`sha256sum` output); nil when it is not one.
    public init?(sha256Hex: String) {
        let text = sha256Hex.lowercased()
        guard text.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self.expected = bytes
    }

    /// Whether `token` is the configured one.
    public func matches(_ token: String) -> Bool {
        let digest = Array(SHA256.hash(data: Array(token.utf8)))
        var difference: UInt8 = 0
        for (left, right) in zip(digest, self.expected) {
            difference |= left ^ right
        }
        return difference == 0 && digest.count == self.expected.count
    }
}
