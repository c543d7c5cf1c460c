import Crypto
import Foundation
import Hummingbird
import LurusServiceKit

/// Who a request is from: its key's id and, when the keys document names one, the user the key belongs to
/// (billing's keys always do). Both go into the request's usage record.
public struct ClientIdentity: Sendable, Hashable {
    public var keyID: String
    public var userID: String?

    public init(keyID: String, userID: String? = nil) {
        self.keyID = keyID
        self.userID = userID
    }
}

/// The client keys the gateway accepts, stored as SHA-256 hashes, never as keys.
///
/// The keys file is JSON: `{"keys": [{"id": "team-a", "sha256": "<hex of sha256(key)>", "user_id": "u1"}]}`
/// (`user_id` optional). A presented key is hashed and looked up; the key itself is never logged or kept.
public struct ClientKeys: Sendable {
    private let identitiesByHash: [String: ClientIdentity]

    public init(hashes: [String: ClientIdentity]) {
        self.identitiesByHash = hashes
    }

    /// Keys without users: key id by SHA-256.
    public init(hashes: [String: String]) {
        self.identitiesByHash = hashes.mapValues { ClientIdentity(keyID: $0) }
    }

    /// Reads the keys file; every problem names the file and the entry.
    public static func load(file: String) throws(StartupError) -> ClientKeys {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw StartupError("keys file \(file) cannot be read", fix: "check keys.file (KEYS_FILE)")
        }
        return try Self.decode(data, source: "keys file \(file)")
    }

    /// Reads the keys document (the keys file, or billing's `GET /v1/keys`):
    /// `{"keys": [{"id", "sha256", "user_id"?}]}`; every problem names `source` and the entry.
    public static func decode(_ data: Data, source: String) throws(StartupError) -> ClientKeys {
        struct Document: Decodable {
            struct Entry: Decodable {
                var id: String
                var sha256: String
                var user_id: String?
            }
            var keys: [Entry]
        }
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: data)
        } catch let error as DecodingError {
            throw StartupError("\(source): \(CatalogDocument.describe(error))")
        } catch {
            throw StartupError("\(source): \(error)")
        }
        var hashes: [String: ClientIdentity] = [:]
        for (index, entry) in document.keys.enumerated() {
            let hash = entry.sha256.lowercased()
            guard hash.count == 64, hash.allSatisfy(\.isHexDigit) else {
                throw StartupError(
                    "\(source): keys[\(index)].sha256 is not 64 hex digits",
                    fix: "store sha256 of the key, e.g. printf %s KEY | sha256sum"
                )
            }
            let identity = ClientIdentity(keyID: entry.id, userID: entry.user_id.flatMap { $0.isEmpty ? nil : $0 })
            guard !entry.id.isEmpty, hashes.updateValue(identity, forKey: hash) == nil else {
                throw StartupError("\(source): keys[\(index)] repeats a key or has an empty id")
            }
        }
        return ClientKeys(hashes: hashes)
    }

    /// How many keys there are.
    public var count: Int { self.identitiesByHash.count }

    /// Whose key a request presents (`Authorization: Bearer`, `x-api-key`, `x-goog-api-key`, or Gemini's
    /// `?key=`), or nil.
    public func identity(for headers: HTTPFields, queryKey: @autoclosure () -> String?) -> ClientIdentity? {
        guard let key = Self.presentedKey(headers, queryKey: queryKey) else { return nil }
        return self.identitiesByHash[Self.hash(key)]
    }

    static func presentedKey(_ headers: HTTPFields, queryKey: () -> String?) -> String? {
        if let authorization = headers[.authorization], let key = Self.bearerToken(authorization) {
            return key
        }
        for field in headers where ["x-api-key", "x-goog-api-key"].contains(field.name.canonicalName) {
            if !field.value.isEmpty { return field.value }
        }
        return queryKey()
    }

    /// The token of `Bearer TOKEN` (scheme in any case, spaces around the token dropped), or nil.
    static func bearerToken(_ authorization: String) -> String? {
        let scheme = "bearer ".utf8
        let bytes = authorization.utf8
        guard bytes.count > scheme.count,
            zip(bytes, scheme).allSatisfy({ $0 | 0x20 == $1 })
        else { return nil }
        let token = bytes.dropFirst(scheme.count).drop { $0 == UInt8(ascii: " ") }
        let end = token.lastIndex { $0 != UInt8(ascii: " ") }
        guard let end else { return nil }
        return String(Substring(token[...end]))
    }

    /// Lower-case hex SHA-256 of a key.
    public static func hash(_ key: String) -> String {
        Hex.lowercase(SHA256.hash(data: Array(key.utf8)))
    }
}
