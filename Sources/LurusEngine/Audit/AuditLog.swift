import Foundation
import LurusInventory
import LurusRemote

/// Records that could be read from an audit log, and how many lines could not.
public struct AuditEntries: Sendable, Hashable {
    /// Oldest first.
    public var records: [AuditRecord]
    /// Lines that were not a record (damaged, or written by a newer lurusctl).
    public var skippedLines: Int

    /// The records in `lines` (the last `count` of them), counting those that do not decode.
    static func decode(_ bytes: [UInt8], last count: Int) -> AuditEntries {
        let decoder = JSONDecoder()
        let lines = bytes.split(separator: UInt8(ascii: "\n")).suffix(max(0, count))
        var entries = AuditEntries(records: [], skippedLines: 0)
        for line in lines {
            if let record = try? decoder.decode(AuditRecord.self, from: Data(line)) {
                entries.records.append(record)
            } else {
                entries.skippedLines += 1
            }
        }
        return entries
    }
}

/// Why the audit log could not be written or read.
public struct AuditError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The node, or empty for the local log.
    public var node: String
    public var message: String
    public var hint: String

    public init(node: String = "", _ message: String, hint: String) {
        self.node = node
        self.message = message
        self.hint = hint
    }

    public var description: String {
        (self.node.isEmpty ? "" : "\(self.node): ") + "\(self.message) (\(self.hint))"
    }
}

/// The audit log: one JSON line per command that changed something, kept on every node it touched
/// (`/var/log/lurus/audit.jsonl`, folder 0700, file 0600) and on the control machine
/// (`.lurus/CLUSTER/audit.jsonl` beside the inventory).
public enum AuditLog {
    /// The folder on nodes.
    public static let directory = "/var/log/lurus"
    /// The log on nodes.
    public static var path: String { "\(self.directory)/audit.jsonl" }
    /// Deadline of each remote call.
    static let timeout: Duration = .seconds(15)

    /// Appends `record` to the log on `node`; the record travels on stdin.
    public static func append(_ record: AuditRecord, on node: Node, transport: any NodeTransport) async throws {
        let script = """
            umask 077; mkdir -p "$1" && chmod 0700 "$1" && cat >> "$1/audit.jsonl" && chmod 0600 "$1/audit.jsonl"
            """
        let command = ShellScript("lurus-audit", script, [self.directory]).command
        let result = try await transport.run(
            RemoteCommand(command, input: .bytes(try record.jsonLine()), timeout: self.timeout),
            on: node
        )
        guard result.succeeded else { throw self.failure(result, on: node, doing: "append to") }
    }

    /// The last `count` records of the log on `node` (none when it has no log yet).
    public static func read(on node: Node, transport: any NodeTransport, last count: Int) async throws -> AuditEntries {
        let script = """
            [ -f "$1/audit.jsonl" ] || exit 0
            tail -n "$2" "$1/audit.jsonl"
            """
        let command = ShellScript("lurus-audit", script, [self.directory, String(max(0, count))]).command
        let result = try await transport.run(RemoteCommand(command, timeout: self.timeout), on: node)
        guard result.succeeded else { throw self.failure(result, on: node, doing: "read") }
        return AuditEntries.decode(result.stdout, last: count)
    }

    private static func failure(_ result: CommandResult, on node: Node, doing action: String) -> AuditError {
        let stderr = String(decoding: result.stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return AuditError(
            node: node.name,
            "cannot \(action) \(self.path) (\(result.outcome))" + (stderr.isEmpty ? "" : ": \(stderr)"),
            hint: "check the disk of \(node.name) has room and /var/log is writable"
        )
    }
}
