import Foundation
import LLMWire
import LurusServiceKit

/// The client keys billing is seeded from at start (`keys.provisionFile`): the gateway's keys file
/// (`doc/gateway.md`), `{"keys": [{"id", "sha256", "user_id"?, "initial_credit"?}]}`, so one file declares
/// the keys whether the gateway reads them offline or billing serves them. Pure.
///
/// At start billing makes each key's user (`user_id`, or the key's id) and wallet when missing, stores the
/// key by its SHA-256 when its id is missing, takes a new SHA-256 for an id it has (a rotation in the file;
/// a revoked key stays revoked), and credits `initial_credit` (USD, a decimal string) once per key id ever,
/// as a top-up whose idempotency key is `provision:ID`.
public struct KeyProvision: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var id: String
        public var sha256: String
        public var userID: String
        /// The key's name in billing's listings.
        public var name: String
        public var initialCredit: Micros?
    }

    public var keys: [Entry]

    /// Reads the file at `path`.
    public static func load(file path: String) throws(StartupError) -> KeyProvision {
        try Self.parse(
            ProvisionDocument(file: path, setting: "keys.provisionFile", kind: Self.kind, member: "keys", fix: Self.fix)
        )
    }

    /// Parses a keys document; errors name `source` and the key path of the refused value.
    public static func parse(_ bytes: [UInt8], source: String) throws(StartupError) -> KeyProvision {
        try Self.parse(ProvisionDocument(bytes: bytes, source: source, kind: Self.kind, member: "keys", fix: Self.fix))
    }

    static let kind = "keys provision file"
    static let fix = "correct it (doc/billing.md, provisioning)"
    static let fields: Set<String> = ["id", "sha256", "user_id", "name", "initial_credit"]

    static func parse(_ document: ProvisionDocument) throws(StartupError) -> KeyProvision {
        let refused = document.refused
        let entries = document.entries
        var keys: [Entry] = []
        var ids: Set<String> = []
        var hashes: Set<String> = []
        for (index, entry) in entries.enumerated() {
            let path = "keys[\(index)]"
            guard case .object(let members) = entry else { throw refused("\(path): must be a JSON object") }
            for name in members.keys.sorted() where !Self.fields.contains(name) {
                throw refused("\(path).\(name): unknown field (known: \(Self.fields.sorted().joined(separator: ", ")))")
            }
            func text(_ name: String, required: Bool) throws(StartupError) -> String? {
                switch members[name] {
                case nil, .null?:
                    if required { throw refused("\(path).\(name): is required") }
                    return nil
                case .string(let value)?:
                    guard !value.isEmpty, value.utf8.count <= 128, !value.contains(where: \.isNewline) else {
                        throw refused("\(path).\(name): must be 1 to 128 characters on one line")
                    }
                    return value
                default: throw refused("\(path).\(name): must be a string")
                }
            }
            let id = try text("id", required: true)!
            let hash = try text("sha256", required: true)!.lowercased()
            guard hash.utf8.count == 64, hash.allSatisfy(\.isHexDigit) else {
                throw refused(
                    "\(path).sha256: must be 64 hex digits, the SHA-256 of the key (printf %s KEY | sha256sum)"
                )
            }
            guard ids.insert(id).inserted else { throw refused("\(path).id: \"\(id)\" is named twice") }
            guard hashes.insert(hash).inserted else { throw refused("\(path).sha256: another entry has this key") }
            var credit: Micros?
            if let amount = try text("initial_credit", required: false) {
                guard let micros = Micros(decimal: amount), micros.value > 0 else {
                    throw refused("\(path).initial_credit: must be a positive USD amount as a string, e.g. \"25.00\"")
                }
                credit = micros
            }
            keys.append(
                Entry(
                    id: id,
                    sha256: hash,
                    userID: try text("user_id", required: false) ?? id,
                    name: try text("name", required: false) ?? id,
                    initialCredit: credit
                )
            )
        }
        return KeyProvision(keys: keys)
    }
}
