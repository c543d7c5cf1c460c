import Foundation

/// One line of the audit log: who ran which lurusctl command, with which inventory, and what it changed.
public struct AuditRecord: Codable, Sendable, Hashable {
    /// When the command started, ISO 8601 UTC.
    public var time: String
    public var user: String
    public var host: String
    /// The whole command line, `lurusctl` first (secrets are never arguments, so none is here).
    public var command: [String]
    /// The verb that ran (`up`, `deploy`, ...); absent in records written before it was recorded.
    public var verb: String?
    /// The inventory path as the command named it.
    public var inventory: String
    /// SHA-256 of the inventory file's bytes, hex; empty when it could not be read.
    public var inventorySHA256: String
    public var result: AuditResult
    /// The nodes the command touched.
    public var nodes: [AuditNode]
    public var durationMilliseconds: Int

    enum CodingKeys: String, CodingKey {
        case time, user, host, command, verb, inventory
        case inventorySHA256 = "inventory_sha256"
        case result, nodes
        case durationMilliseconds = "duration_ms"
    }

    public init(
        time: String,
        user: String,
        host: String,
        command: [String],
        verb: String? = nil,
        inventory: String,
        inventorySHA256: String,
        result: AuditResult,
        nodes: [AuditNode],
        durationMilliseconds: Int
    ) {
        self.time = time
        self.user = user
        self.host = host
        self.command = command
        self.verb = verb
        self.inventory = inventory
        self.inventorySHA256 = inventorySHA256
        self.result = result
        self.nodes = nodes
        self.durationMilliseconds = durationMilliseconds
    }

    /// A record for this process: user and host from this machine, the inventory file hashed now, and
    /// `time` set to `duration` seconds before `end`.
    public static func make(
        command: [String],
        verb: String? = nil,
        inventoryPath: String,
        result: AuditResult,
        nodes: [AuditNode],
        duration: TimeInterval,
        end: Date = Date()
    ) -> AuditRecord {
        AuditRecord(
            time: LocalMachine.timestamp(end.addingTimeInterval(-duration)),
            user: LocalMachine.user,
            host: LocalMachine.hostname,
            command: command,
            verb: verb,
            inventory: inventoryPath,
            inventorySHA256: Self.sha256(ofFile: inventoryPath) ?? "",
            result: result,
            nodes: nodes,
            durationMilliseconds: Int((duration * 1000).rounded())
        )
    }

    /// The SHA-256 of a file's bytes in hex, or nil when it cannot be read.
    public static func sha256(ofFile path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return Digest.sha256Hex(data)
    }

    /// The record as one line of JSON with sorted keys, newline included.
    public func jsonLine() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self)) + [UInt8(ascii: "\n")]
    }

    /// `brain 3, heart 0 (1 failed)`: changes per node.
    public var changeSummary: String {
        self.nodes.map { node in
            "\(node.name) \(node.changed)" + (node.failed > 0 ? " (\(node.failed) failed)" : "")
        }.joined(separator: ", ")
    }
}

/// How a recorded command ended.
public enum AuditResult: String, Codable, Sendable, Hashable {
    case ok
    case failed
    /// Stopped by Ctrl-C or SIGTERM.
    case interrupted
}

/// What a command did on one node.
public struct AuditNode: Codable, Sendable, Hashable {
    public var name: String
    /// Resources changed.
    public var changed: Int
    /// Resources that failed.
    public var failed: Int
    /// Short descriptions of the changes (`file /etc/hosts`).
    public var changes: [String]

    public init(name: String, changed: Int, failed: Int, changes: [String]) {
        self.name = name
        self.changed = changed
        self.failed = failed
        self.changes = changes
    }
}
