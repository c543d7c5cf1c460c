import Crypto
import Foundation
import LurusRemote

/// What a probe printed for one resource: `KEY=VALUE` lines.
public struct ObservedState: Sendable, Hashable {
    public var values: [String: String]

    public init(values: [String: String] = [:]) {
        self.values = values
    }

    public subscript(key: String) -> String? { self.values[key] }

    /// A base64-encoded value, decoded.
    public func bytes(_ key: String) -> [UInt8]? {
        guard let text = self.values[key], let data = Data(base64Encoded: text) else { return nil }
        return Array(data)
    }

    /// Parses `KEY=VALUE` lines; lines without `=` are ignored.
    public static func parse(_ lines: some Sequence<Substring>) -> ObservedState {
        var values: [String: String] = [:]
        for line in lines {
            guard let equals = line.firstIndex(of: "=") else { continue }
            values[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return ObservedState(values: values)
    }
}

/// What must change for one resource, found by comparing the desired value with the observed state.
public struct Difference: Sendable, Hashable {
    public enum Action: String, Sendable, Hashable, Codable {
        /// Already as desired.
        case none
        /// Does not exist yet: `+`.
        case create
        /// Exists but differs: `~`.
        case change
        /// Exists and must go: `-`.
        case remove
        /// A command whose guard says it has not run yet.
        case run
        /// A service restarted or reloaded because something it depends on changed: `↻`.
        case restart
        case reload
    }

    public var action: Action
    /// What differs, in words: `mode 0644 -> 0600`, `version 1.2 -> 1.3`.
    public var details: [String]
    /// For files: the text before and after (nil when hidden or not text).
    public var content: ContentChange?
    /// Why nothing is done although the state differs (a start condition unmet in a container).
    public var notice: String?

    public init(
        _ action: Action,
        details: [String] = [],
        content: ContentChange? = nil,
        notice: String? = nil
    ) {
        self.action = action
        self.details = details
        self.content = content
        self.notice = notice
    }

    public static let none = Difference(.none)

    public var isChange: Bool { self.action != .none }
}

/// A file's content before and after, for a diff.
public enum ContentChange: Sendable, Hashable {
    /// Both sides readable as text.
    case text(before: String, after: String)
    /// A secret: only the fact that it changes is shown.
    case hidden
    /// Binary, or too large to fetch for a diff.
    case opaque(beforeBytes: Int?, afterBytes: Int)
}

/// One thing to do on a node to apply a difference.
public enum ApplyCommand: Sendable, Hashable {
    /// Run a command, optionally with bytes on stdin (how secrets travel).
    case run(ShellCommand, input: [UInt8] = [], timeout: Duration = .seconds(300))
    /// Write a file atomically and verified (stdin, temporary file, sha256, rename).
    case upload(path: String, content: [UInt8], mode: Int, owner: String)
    /// Install packages with apt; consecutive installs of one component are merged into one command.
    case aptInstall([String])
}

extension String {
    /// The base64 of this string's UTF-8 bytes.
    var base64: String { Data(self.utf8).base64EncodedString() }
}

/// File modes as people read them: `0644`.
func octal(_ mode: Int) -> String {
    let digits = String(mode, radix: 8)
    return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
}

/// SHA-256 in lowercase hex: file contents compared on nodes, the inventory's digest in audit records, and
/// ClickHouse's `password_sha256_hex`.
public enum Digest {
    public static func sha256Hex(_ bytes: some DataProtocol) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }
}
