import LurusComponents
import LurusEngine
import LurusRemote

/// The node-side scripts of `templates/backup/`: each run as `bash -c SCRIPT` with `s3.sh` in front, the
/// store's endpoint, bucket and region as its first arguments and the credentials as the first line of
/// its stdin. Building a command is pure; running it is the caller's.
public struct BackupScripts: Sendable {
    public var templates: TemplateLibrary
    public var target: S3Target

    public init(templates: TemplateLibrary, target: S3Target) {
        self.templates = templates
        self.target = target
    }

    /// How a script seals or unseals objects: the second line of its stdin.
    public enum Sealing: Sendable {
        case none
        /// A backup encrypts every object to these age recipients.
        case recipients([String])
        /// A check or restore of an encrypted backup reads it with this age identity (its
        /// `AGE-SECRET-KEY-1…` line; the node keeps it in a 0600 file for the run only).
        case identity(Secret)

        var line: [UInt8] {
            switch self {
            case .none: Array("age-none\n".utf8)
            case .recipients(let keys): Array("age-recipients \(keys.joined(separator: " "))\n".utf8)
            case .identity(let secret):
                Array("age-identity ".utf8) + Self.keyLine(secret.bytes) + [UInt8(ascii: "\n")]
            }
        }

        /// The key line of an identity file (age-keygen writes comments around it).
        static func keyLine(_ bytes: [UInt8]) -> [UInt8] {
            let lines = bytes.split(separator: UInt8(ascii: "\n")).map { Array($0) }
            return lines.first { $0.starts(with: Array("AGE-SECRET-KEY-1".utf8)) } ?? []
        }
    }

    /// `parts` (template names under `backup/`, after `s3`) run with `arguments`; stdin is the
    /// credentials, the sealing line, then `input`.
    public func command(
        _ parts: [String],
        _ arguments: [String],
        input: [UInt8] = [],
        sealing: Sealing = .none,
        timeout: Duration
    ) throws -> RemoteCommand {
        RemoteCommand(
            ShellCommand(try self.words(parts, arguments)),
            input: .bytes(self.target.curlConfig + sealing.line + input),
            timeout: timeout
        )
    }

    /// The program PostgreSQL archives and restores WAL with (backup.point_in_time): `s3.sh` and `wal.sh`
    /// behind a head that names the store and reads its credentials and WAL folder from a 0600 file on the
    /// node.
    public func walArchive() throws -> String {
        let arguments = self.target.arguments.map(Shell.quote).joined(separator: " ")
        return try [
            self.templates.render("backup/wal-archive-head.sh", ["arguments": arguments]),
            self.templates.render("backup/s3.sh", [:]),
            self.templates.render("backup/wal.sh", [:]),
        ].joined(separator: "\n")
    }

    /// The command's words: `bash -c SCRIPT lurus-backup ENDPOINT BUCKET REGION ARGUMENTS…`.
    public func words(_ parts: [String], _ arguments: [String]) throws -> [String] {
        let script = try (["s3"] + parts).map { try self.templates.render("backup/\($0).sh", [:]) }
        return ["bash", "-c", script.joined(separator: "\n"), "lurus-backup"] + self.target.arguments + arguments
    }
}
