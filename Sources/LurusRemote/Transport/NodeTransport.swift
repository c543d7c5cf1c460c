import LurusInventory

/// The way to a node that everything above the remote layer uses: run a command (with stdin, streamed
/// output and a deadline) and write a file. `OpenSSHSession` is the real one; tests use one in memory.
///
/// A transport reports a node it cannot reach, or a command that outlived its deadline, as a
/// `RemoteError` (kinds `.unreachable`, `.transport`, `.timeout`, `.jumpHost` mean the node is lost); a
/// command that ran and failed is a `CommandResult` with its exit status.
public protocol NodeTransport: Sendable {
    /// Runs `command` on `node`; with `sink`, output is also handed over chunk by chunk as it comes.
    func run(_ command: RemoteCommand, on node: Node, streaming sink: OutputSink?) async throws -> CommandResult

    /// Writes `source` to `path` on `node` atomically and verified: a reader sees the old file or the new
    /// one, never a part.
    func upload(
        _ source: RemoteInput,
        to path: String,
        mode: Int,
        owner: String?,
        on node: Node,
        timeout: Duration
    ) async throws -> UploadResult
}

extension NodeTransport {
    /// Runs `command` on `node`, keeping its output for the result.
    public func run(_ command: RemoteCommand, on node: Node) async throws -> CommandResult {
        try await self.run(command, on: node, streaming: nil)
    }

    /// Writes `source` to `path` on `node` (0644, owned by the login user unless `owner` says, 10 minutes).
    public func upload(
        _ source: RemoteInput,
        to path: String,
        mode: Int = 0o644,
        owner: String? = nil,
        on node: Node
    ) async throws -> UploadResult {
        try await self.upload(source, to: path, mode: mode, owner: owner, on: node, timeout: .seconds(600))
    }
}
