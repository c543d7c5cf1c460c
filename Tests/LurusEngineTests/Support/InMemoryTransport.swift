import LurusInventory
import LurusRemote
import Synchronization

/// A transport with no node behind it: it records every command and upload, and answers each command as
/// the test's `answer` says (succeed, fail, lose the node, hang until cancelled).
final class InMemoryTransport: NodeTransport {
    /// What a command does.
    enum Answer: Sendable {
        case exit(Int32, stdout: String = "", stderr: String = "")
        /// The connection drops (as when the node reboots).
        case lost
        /// Never answers; ends only when the task is cancelled.
        case hang
    }

    struct Call: Sendable, Hashable {
        var node: String
        var command: String
        /// What the command got on stdin.
        var input: [UInt8] = []
    }

    private let answer: @Sendable (String, String) -> Answer
    private let calls = Mutex<[Call]>([])

    /// `answer(node, command)` decides each command; the command is its shell line.
    init(answer: @escaping @Sendable (_ node: String, _ command: String) -> Answer = { _, _ in .exit(0) }) {
        self.answer = answer
    }

    /// Every command and upload so far, in the order they came.
    var recorded: [Call] { self.calls.withLock { $0 } }

    func run(_ command: RemoteCommand, on node: Node, streaming sink: OutputSink?) async throws -> CommandResult {
        let line = String(decoding: command.line, as: UTF8.self)
        var input: [UInt8] = []
        if case .bytes(let bytes) = command.input { input = bytes }
        self.calls.withLock { $0.append(Call(node: node.name, command: line, input: input)) }
        switch self.answer(node.name, line) {
        case .exit(let status, let stdout, let stderr):
            return CommandResult(
                node: node.name,
                outcome: .exited(status),
                stdout: Array(stdout.utf8),
                stderr: Array(stderr.utf8),
                duration: .zero
            )
        case .lost:
            throw RemoteError(.transport, node: node.name, address: "\(node.address)", "connection lost", hint: "")
        case .hang:
            try await Task.sleep(for: .seconds(3600))
            throw CancellationError()
        }
    }

    func upload(
        _ source: RemoteInput,
        to path: String,
        mode: Int,
        owner: String?,
        on node: Node,
        timeout: Duration
    ) async throws -> UploadResult {
        self.calls.withLock { $0.append(Call(node: node.name, command: "upload \(path)")) }
        return UploadResult(node: node.name, path: path, bytes: 0, sha256: "", duration: .zero)
    }
}
