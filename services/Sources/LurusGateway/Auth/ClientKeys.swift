import Crypto
import Foundation
import Hummingbird
import LurusServiceKit

/// The client keys the gateway accepts, stored as SHA-256 hashes, never as keys.
///
/// The keys file is JSON: `{"keys": [{"id": "team-a", "sha256": "<hex of sha256(key)>"}]}`.
/// A presented key is hashed and looked up; the key itself is never logged or kept.
public struct ClientKeys: Sendable {
    private let idsByHash: [String: String]

    public init(hashes: [String: String]) {
        self.idsByHash = hashes
    }

    /// Reads the keys file; every problem names the file and the entry.
    public static func load(file: String) throws(StartupError) -> ClientKeys {
        struct Document: Decodable {
            struct Entry: Decodable {
                var id: String
                var sha256: String
            }
            var keys: [Entry]
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw StartupError("keys file \(file) cannot be read", fix: "check keys.file (KEYS_FILE)")
        }
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: data)
        } catch let error as DecodingError {
            throw StartupError("keys file \(file): \(CatalogDocument.describe(error))")
        } catch {
            throw StartupError("keys file \(file): \(error)")
        }
        var hashes: [String: String] = [:]
        for (index, entry) in document.keys.enumerated() {
            let hash = entry.sha256.lowercased()
            guard hash.count == 64, hash.allSatisfy(\.isHexDigit) else {
                throw StartupError(
                    "keys file \(file): keys[\(index)].sha256 is not 64 hex digits",
                    fix: "store sha256 of the key, e.g. printf %s KEY | sha256sum"
                )
            }
            guard !entry.id.isEmpty, hashes.updateValue(entry.id, forKey: hash) == nil else {
                throw StartupError("keys file \(file): keys[\(index)] repeats a key or has an empty id")
            }
        }
        return ClientKeys(hashes: hashes)
    }

    /// The key id for the key a request presents (`Authorization: Bearer`, `x-api-key`,
    /// `x-goog-api-key`, or Gemini's `?key=`), or nil.
    public func keyID(for headers: HTTPFields, queryKey: @autoclosure () -> String?) -> String? {
        guard let key = Self.presentedKey(headers, queryKey: queryKey) else { return nil }
        return self.idsByHash[Self.hash(key)]
    }

    static func presentedKey(_ headers: HTTPFields, queryKey: () -> String?) -> String? {
        if let authorization = headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                return String(parts[1]).trimmingCharacters(in: .whitespaces)
            }
        }
        for field in headers where ["x-api-key", "x-goog-api-key"].contains(field.name.canonicalName) {
            if !field.value.isEmpty { return field.value }
        }
        return queryKey()
    }

    /// Lower-case hex SHA-256 of a key.
    public static func hash(_ key: String) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: Data(key.utf8)) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}
