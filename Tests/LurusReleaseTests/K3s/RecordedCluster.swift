import Foundation
import LurusInventory
import LurusRemote

@testable import LurusRelease

/// A K3s server and its nodes as recorded output: each command lurusctl sends is recognised by what it
/// runs and answered with what K3s's kubectl or ctr printed (the rollout polls one recording after
/// another, the last repeating). Every call is kept, with its standard input, for the tests to check.
/// K3s cannot run on this machine; this stands in for it and nothing else.
final class RecordedCluster: NodeTransport, @unchecked Sendable {
    struct Call: Sendable {
        var node: String
        var kind: String
        var line: String
        var input: RemoteInput
        var inputText: String {
            if case .bytes(let bytes) = self.input { return String(decoding: bytes, as: UTF8.self) }
            return ""
        }
        var inputFile: String? {
            if case .file(let path) = self.input { return path }
            return nil
        }
    }

    private let lock = NSLock()
    private var calls: [Call] = []
    /// `observe.sh`'s answer.
    var observe: [UInt8]
    /// `ctr images ls` per node.
    var images: [String: String]
    /// What `import-image.sh` prints after importing (the listing).
    var imported: String
    /// The rollout polls, in order.
    var polls: [[UInt8]]
    var previousLog = "2026-12-02T10:00:01Z error: CATALOG_FILE /run/secrets/lurus/catalog: no such file\n"
    /// Nodes that cannot be reached.
    var down: Set<String> = []
    private var pollIndex = 0

    init(observe: [UInt8], images: [String: String], imported: String = "", polls: [[UInt8]] = []) {
        self.observe = observe
        self.images = images
        self.imported = imported
        self.polls = polls
    }

    var recorded: [Call] { self.lock.withLock { self.calls } }
    func calls(_ kind: String) -> [Call] { self.recorded.filter { $0.kind == kind } }

    static func kind(of line: String) -> String {
        if line.contains("lurus-k3s-observe") { return "observe" }
        if line.contains("lurus-k3s-rollout") { return "poll" }
        if line.contains("lurus-k3s-import") { return "import" }
        if line.contains("images label") || line.contains("images' 'label") { return "pin" }
        if line.contains("images rm") || line.contains("'rm'") { return "remove" }
        if line.contains("images ls") || line.contains("'ls'") { return "images" }
        if line.contains("annotate") { return "annotate" }
        if line.contains("rollout status") || line.contains("'status'") { return "status" }
        if line.contains("logs") { return "logs" }
        if line.contains("delete") { return "delete" }
        if line.contains("apply") { return "apply" }
        return "unknown"
    }

    func run(_ command: RemoteCommand, on node: Node, streaming sink: OutputSink?) async throws -> CommandResult {
        let line = String(decoding: command.line, as: UTF8.self)
        let kind = Self.kind(of: line)
        if self.down.contains(node.name) {
            throw RemoteError(.unreachable, node: node.name, address: "\(node.address)", "no route to host", hint: "")
        }
        let stdout: String = self.lock.withLock {
            self.calls.append(Call(node: node.name, kind: kind, line: line, input: command.input))
            switch kind {
            case "observe": return String(decoding: self.observe, as: UTF8.self)
            case "images": return self.images[node.name] ?? ""
            case "import": return self.imported
            case "poll":
                let poll = self.polls[min(self.pollIndex, self.polls.count - 1)]
                self.pollIndex += 1
                return String(decoding: poll, as: UTF8.self)
            case "status": return "deployment \"gateway\" successfully rolled out\n"
            case "logs": return self.previousLog
            default: return ""
            }
        }
        return CommandResult(
            node: node.name,
            outcome: .exited(kind == "unknown" ? 127 : 0),
            stdout: Array(stdout.utf8),
            stderr: [],
            duration: .zero
        )
    }

    func upload(
        _ source: RemoteInput,
        to path: String,
        mode: Int,
        owner: String?,
        on node: Node,
        timeout: Duration
    )
        async throws -> UploadResult
    {
        UploadResult(node: node.name, path: path, bytes: 0, sha256: "", duration: .zero)
    }
}
