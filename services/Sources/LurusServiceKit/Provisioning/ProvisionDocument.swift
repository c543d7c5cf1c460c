import Foundation
import LLMWire

/// A provision file, the JSON a service is seeded from at start (the provider service's catalog, billing's
/// keys): read and parsed, its top-level array handed out, and every refusal naming the file.
public struct ProvisionDocument: Sendable {
    /// What the file is, as errors name it: "catalog provision file".
    public let kind: String
    public let source: String
    /// The entries of the top-level object's array member.
    public let entries: [JSONValue]
    let fix: String

    /// Reads the file at `path`, named by `setting` (its environment name is in the error).
    public init(file path: String, setting: String, kind: String, member: String, fix: String) throws(StartupError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StartupError(
                "\(kind) \(path) cannot be read",
                fix: "check \(setting) (\(Settings.environmentName(of: setting)))"
            )
        }
        try self.init(bytes: Array(data), source: path, kind: kind, member: member, fix: fix)
    }

    /// Parses `bytes`, which must be an object whose `member` is an array.
    public init(bytes: [UInt8], source: String, kind: String, member: String, fix: String) throws(StartupError) {
        func refused(_ problem: String) -> StartupError { StartupError("\(kind) \(source): \(problem)", fix: fix) }
        let document: JSONValue
        do {
            document = try JSONValue.parse(bytes)
        } catch .malformedJSON(let detail) {
            throw refused("not valid JSON: \(detail)")
        } catch {
            throw refused("not valid JSON: \(error)")
        }
        guard case .object(let top) = document, case .array(let entries)? = top[member] else {
            throw refused("\(member): must be an array of \(member)")
        }
        self.kind = kind
        self.source = source
        self.entries = entries
        self.fix = fix
    }

    /// A refusal of the file's content: `problem` names the key path.
    public func refused(_ problem: String) -> StartupError {
        StartupError("\(self.kind) \(self.source): \(problem)", fix: self.fix)
    }
}
