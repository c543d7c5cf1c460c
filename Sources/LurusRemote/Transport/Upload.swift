import Foundation
import LurusInventory
import Subprocess
import SystemPackage

/// A file written on a node.
public struct UploadResult: Sendable {
    public var node: String
    public var path: String
    public var bytes: Int
    public var sha256: String
    public var duration: Duration

    public init(node: String, path: String, bytes: Int, sha256: String, duration: Duration) {
        self.node = node
        self.path = path
        self.bytes = bytes
        self.sha256 = sha256
        self.duration = duration
    }
}

extension OpenSSHSession {
    /// Writes `source` to `path` on `node` atomically and verified.
    ///
    /// The bytes stream over stdin into a temporary file in the target's own directory (so the rename is
    /// atomic on that filesystem), the node checks its sha256 against the one computed here, sets mode and
    /// owner, flushes it to disk and renames it over `path`. A reader of `path` sees the old file or the
    /// new one, never a part; a failed or interrupted upload leaves only the old one.
    public func upload(
        _ source: RemoteInput,
        to path: String,
        mode: Int,
        owner: String?,
        on node: Node,
        timeout: Duration
    ) async throws -> UploadResult {
        guard path.hasPrefix("/"), !path.hasSuffix("/") else {
            throw RemoteError.local("upload target must be an absolute file path, not '\(path)'")
        }
        let (digest, size) = try await Self.sha256(of: source)
        let start = ContinuousClock.now
        let command = ShellScript(
            "lurusctl-upload",
            Self.receiveScript,
            [path, digest, String(mode, radix: 8), owner ?? ""]
        ).command
        let result = try await self.run(RemoteCommand(command, input: source, timeout: timeout), on: node)
        guard result.succeeded else {
            let detail = String(decoding: result.stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw RemoteError(
                .commandFailed,
                node: node.name,
                address: "\(node.address)",
                "upload to \(path) failed (\(result.outcome)): \(detail)",
                hint: "nothing was replaced; check the directory exists and has room"
            )
        }
        return UploadResult(
            node: node.name,
            path: path,
            bytes: size,
            sha256: digest,
            duration: ContinuousClock.now - start
        )
    }

    /// Receives stdin into a temporary file beside the target, verifies, then renames. Runs under `sh -c`
    /// with the target, the expected sha256, the mode and the owner as `$1`-`$4`.
    static let receiveScript = """
        set -eu
        target=$1 expected=$2 mode=$3 owner=$4
        dir=$(dirname -- "$target")
        tmp=$(mktemp -- "$dir/.lurusctl-upload.XXXXXXXX")
        trap 'rm -f -- "$tmp"' EXIT
        cat > "$tmp"
        actual=$(sha256sum < "$tmp" | cut -d ' ' -f 1)
        if [ "$actual" != "$expected" ]; then
            echo "checksum mismatch: sent $expected, received $actual" >&2
            exit 3
        fi
        chmod "$mode" "$tmp"
        if [ -n "$owner" ]; then chown -- "$owner" "$tmp"; fi
        sync -- "$tmp"
        mv -f -- "$tmp" "$target"
        trap - EXIT
        """

    /// sha256 and size of what will be sent, computed with coreutils' sha256sum (streamed for files).
    static func sha256(of source: RemoteInput) async throws -> (String, Int) {
        let result: ExecutionResult<Void, StringOutput<UTF8>, DiscardedOutput>
        let size: Int
        switch source {
        case .bytes(let bytes):
            size = bytes.count
            result = try await Subprocess.run(
                .path("/usr/bin/sha256sum"),
                input: .array(bytes),
                output: .string(limit: 4096)
            )
        case .file(let path):
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
            guard let fileSize = (attributes?[.size] as? NSNumber)?.intValue else {
                throw RemoteError.local("cannot read \(path)")
            }
            size = fileSize
            result = try await Subprocess.run(
                .path("/usr/bin/sha256sum"),
                arguments: ["--", path],
                output: .string(limit: 4096)
            )
        }
        let line = result.standardOutput
        guard result.terminationStatus.isSuccess, line.count >= 64 else {
            throw RemoteError.local("sha256sum failed on this machine")
        }
        return (String(line.prefix(64)), size)
    }
}
