import LurusComponents
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

    /// `parts` (template names under `backup/`, after `s3`) run with `arguments`; `input` follows the
    /// credentials on stdin.
    public func command(
        _ parts: [String],
        _ arguments: [String],
        input: [UInt8] = [],
        timeout: Duration
    ) throws -> RemoteCommand {
        RemoteCommand(
            ShellCommand(try self.words(parts, arguments)),
            input: .bytes(self.target.curlConfig + input),
            timeout: timeout
        )
    }

    /// The command's words: `bash -c SCRIPT lurus-backup ENDPOINT BUCKET REGION ARGUMENTS…`.
    public func words(_ parts: [String], _ arguments: [String]) throws -> [String] {
        let script = try (["s3"] + parts).map { try self.templates.render("backup/\($0).sh", [:]) }
        return ["bash", "-c", script.joined(separator: "\n"), "lurus-backup"] + self.target.arguments + arguments
    }
}
