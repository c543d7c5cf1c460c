import Foundation
import Logging
import LurusInventory
import Subprocess
import SystemPackage

/// Runs commands on the inventory's nodes through the system `ssh`, one ControlMaster per node.
///
/// Use it through `OpenSSHSession.with(...)`, which always closes the masters and removes the private
/// directory, also when the work throws or is cancelled.
public actor OpenSSHSession: NodeTransport {
    public struct Options: Sendable {
        public var trustNewHosts = false
        public var sshExecutable = "/usr/bin/ssh"
        public init() {}
    }

    private let inventory: Inventory
    private let options: Options
    private let directory: ControlDirectory
    private let configPath: String
    /// The generated ssh_config of this session.
    public nonisolated var configFilePath: String { self.configPath }
    nonisolated var sshExecutablePath: String { self.options.sshExecutable }
    private let logger: Logger
    /// Nodes whose master is up, and connection attempts under way (so two commands share one).
    private var connected: Set<String> = []
    private var connecting: [String: Task<Void, any Error>] = [:]
    /// Commands running per node, and those waiting for a place.
    private var running: [String: Int] = [:]
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]
    /// Round trips made per node (commands run, uploads included), for benchmarks and diagnostics.
    public private(set) var roundTrips: [String: Int] = [:]

    /// Commands at once over one node's master: below sshd's default `MaxSessions 10`, which caps the
    /// channels of one connection (a jumped node's own master takes one channel on its jump host's).
    public static let commandsPerNode = 8

    private init(inventory: Inventory, options: Options, logger: Logger) throws {
        self.inventory = inventory
        self.options = options
        self.logger = logger
        self.directory = try ControlDirectory.create()
        self.configPath = "\(self.directory.path)/ssh_config"
        let config = SSHConfigRenderer(controlDirectory: self.directory.path, trustNewHosts: options.trustNewHosts)
            .render(inventory)
        guard
            FileManager.default.createFile(
                atPath: self.configPath,
                contents: Data(config.utf8),
                attributes: [.posixPermissions: 0o600]
            )
        else {
            self.directory.remove()
            throw RemoteError.local("cannot write \(self.configPath)")
        }
    }

    /// Opens a session, runs `body`, then closes every master and removes the session's files.
    public static func with<Result: Sendable>(
        _ inventory: Inventory,
        options: Options = Options(),
        logger: Logger,
        _ body: (OpenSSHSession) async throws -> Result
    ) async throws -> Result {
        let session = try OpenSSHSession(inventory: inventory, options: options, logger: logger)
        do {
            let result = try await body(session)
            await shieldedFromCancellation { await session.close() }
            return result
        } catch {
            await shieldedFromCancellation { await session.close() }
            throw error
        }
    }

    // MARK: Running commands

    /// Runs `command` on `node`: connects first if needed; a connection problem throws a `RemoteError`.
    /// With `streaming`, output is also handed over chunk by chunk while the command runs.
    public func run(
        _ command: RemoteCommand,
        on node: Node,
        streaming sink: OutputSink?
    ) async throws
        -> CommandResult
    {
        try await self.connect(node)
        self.roundTrips[node.name, default: 0] += 1
        await self.acquirePlace(on: node.name)
        defer { self.releasePlace(on: node.name) }
        let start = ContinuousClock.now
        let seconds = Int(command.timeout.components.seconds.clamped(to: 1...86_400))
        let wrapped = RemoteRunner.wrap(command.line, timeoutSeconds: seconds, become: node.ssh.user != "root")
        let arguments = [
            ["-F", self.configPath, SSHConfigRenderer.alias(of: node), "--"].map { Array($0.utf8) },
            [Shell.render(wrapped)],
        ]
        .flatMap { $0 }
        logger.debug(
            "run",
            metadata: ["node": "\(node.name)", "command": "\(String(decoding: command.line, as: UTF8.self))"]
        )
        // The runner enforces the deadline on the node; the local one only catches a hung connection.
        let local = command.timeout + .seconds(15)
        let name = node.name
        var forward: (@Sendable (OutputChunk.Stream, [UInt8]) -> Void)?
        if let sink {
            forward = { stream, bytes in sink(OutputChunk(node: name, stream: stream, bytes: bytes)) }
        }
        let raw = try await self.ssh(arguments, input: command.input, deadline: local, sink: forward)
        guard let raw else {
            throw RemoteError(
                .timeout,
                node: node.name,
                address: "\(node.address)",
                "no answer within \(local)",
                hint: "the connection hung; check the node"
            )
        }
        if raw.status == 255 {
            throw self.failure(of: node, from: raw)
        }
        let (outcome, stderr) = RemoteRunner.decode(status: raw.status, stderr: raw.stderr)
        return CommandResult(
            node: node.name,
            outcome: outcome,
            stdout: raw.stdout,
            stderr: stderr,
            duration: ContinuousClock.now - start
        )
    }

    // MARK: Places per node

    private func acquirePlace(on node: String) async {
        if self.running[node, default: 0] < Self.commandsPerNode {
            self.running[node, default: 0] += 1
            return
        }
        await withCheckedContinuation { self.waiting[node, default: []].append($0) }
    }

    /// Hands the place to the next waiting command, or frees it.
    private func releasePlace(on node: String) {
        if var queue = self.waiting[node], !queue.isEmpty {
            let next = queue.removeFirst()
            self.waiting[node] = queue
            next.resume()
        } else {
            self.running[node, default: 1] -= 1
        }
    }

    // MARK: Connections

    /// Starts the node's ControlMaster (after its jump host's), or reuses it.
    public func connect(_ node: Node) async throws {
        if self.connected.contains(node.name) { return }
        if let pending = self.connecting[node.name] { return try await pending.value }
        // A task every caller awaits, so that commands (and jumped nodes) arriving while the handshake is
        // under way share it instead of starting a second master.
        let task = Task { try await self.startMaster(node) }
        self.connecting[node.name] = task
        defer { self.connecting[node.name] = nil }
        try await task.value
        self.connected.insert(node.name)
    }

    private func startMaster(_ node: Node) async throws {
        if let jump = self.jump(of: node) {
            do {
                try await self.connect(jump)
            } catch let error as RemoteError {
                throw RemoteError(
                    .jumpHost,
                    node: node.name,
                    address: "\(node.address):\(node.ssh.port)",
                    "the jump host \(jump.name) is not reachable: \(error.message)",
                    hint: error.hint
                )
            }
        }
        let timeout = node.ssh.connectTimeout.seconds
        let arguments = [
            "-F", self.configPath, "-M", "-N", "-f", "-o", "ControlMaster=yes", SSHConfigRenderer.alias(of: node),
        ]
        logger.debug("connect", metadata: ["node": "\(node.name)"])
        // ssh's ConnectTimeout covers the TCP connect; the handshake and a jump get some more time.
        let raw = try await self.ssh(
            arguments.map { Array($0.utf8) },
            input: .bytes([]),
            deadline: .seconds(timeout * 2 + 10)
        )
        guard let raw else {
            throw RemoteError(
                .unreachable,
                node: node.name,
                address: "\(node.address):\(node.ssh.port)",
                "unreachable: no SSH handshake within \(Int(timeout * 2 + 10))s",
                hint: "check the node is up"
            )
        }
        guard raw.status == 0 else {
            var error = self.failure(of: node, from: raw)
            if error.kind == .unknownHostKey {
                let offered = await self.hostKeyFingerprints(of: node)
                if !offered.isEmpty { error.message += "; it offers \(offered.joined(separator: ", "))" }
            }
            throw error
        }
    }

    /// The fingerprints of the keys `node` offers (as `SHA256:... (ED25519)`), read with ssh-keyscan from
    /// here or, behind a jump host, on the jump host. Best effort: empty when they cannot be read.
    private func hostKeyFingerprints(of node: Node) async -> [String] {
        let scan = ["ssh-keyscan", "-T", "5", "-p", String(node.ssh.port), node.address.description]
        var scanned: [UInt8] = []
        if let jump = self.jump(of: node) {
            guard let result = try? await self.run(RemoteCommand(ShellCommand(scan), timeout: .seconds(15)), on: jump)
            else { return [] }
            scanned = result.stdout
        } else {
            guard
                let result = try? await Subprocess.run(
                    .name(scan[0]),
                    arguments: Arguments(Array(scan.dropFirst())),
                    output: .bytes(limit: 1 << 20)
                )
            else { return [] }
            scanned = result.standardOutput
        }
        guard !scanned.isEmpty,
            let listed = try? await Subprocess.run(
                .name("ssh-keygen"),
                arguments: ["-l", "-f", "-"],
                input: .array(scanned),
                output: .string(limit: 1 << 16)
            )
        else { return [] }
        // "256 SHA256:abc... 10.77.0.11 (ED25519)" -> "SHA256:abc... (ED25519)"
        return listed.standardOutput.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count >= 4 else { return nil }
            return "\(fields[1]) \(fields[fields.count - 1])"
        }
    }

    /// Closes every master and removes the private directory. Called by `with`.
    public func close() async {
        for name in self.connected {
            guard let node = self.inventory.node(named: name) else { continue }
            let arguments = ["-F", self.configPath, "-O", "exit", SSHConfigRenderer.alias(of: node)]
            _ = try? await self.ssh(arguments.map { Array($0.utf8) }, input: .bytes([]), deadline: .seconds(10))
        }
        self.connected.removeAll()
        self.directory.remove()
    }

    /// What went wrong, from what ssh printed when it failed to reach `node`.
    private func failure(of node: Node, from raw: RawResult) -> RemoteError {
        SSHFailureClassifier.classify(
            stderr: String(decoding: raw.stderr, as: UTF8.self),
            node: node,
            jump: self.jump(of: node)
        )
    }

    private func jump(of node: Node) -> Node? {
        node.ssh.proxyJump.flatMap { self.inventory.node(named: $0) }
    }

    // MARK: Launching ssh

    fileprivate struct RawResult {
        var status: Int32
        var stdout: [UInt8]
        var stderr: [UInt8]
    }

    /// Runs ssh with `arguments`; nil when `deadline` passed first (ssh is then terminated).
    private nonisolated func ssh(
        _ arguments: [[UInt8]],
        input: RemoteInput,
        deadline: Duration,
        sink: (@Sendable (OutputChunk.Stream, [UInt8]) -> Void)? = nil
    ) async throws -> RawResult? {
        var platform = PlatformOptions()
        platform.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: .seconds(2))]
        // swift-subprocess 1.0.2 strdup()s raw-byte arguments: each needs its own NUL terminator.
        let configuration = Configuration(
            executable: .path(FilePath(self.options.sshExecutable)),
            arguments: Arguments(arguments.map { $0 + [0] }),
            platformOptions: platform
        )
        return try await withThrowingTaskGroup(of: RawResult?.self) { group in
            group.addTask {
                switch input {
                case .bytes(let bytes):
                    return try await Self.launch(configuration, input: .array(bytes), sink: sink)
                case .file(let path):
                    let descriptor: FileDescriptor
                    do {
                        descriptor = try FileDescriptor.open(FilePath(path), .readOnly)
                    } catch {
                        throw RemoteError.local("cannot read \(path): \(error)")
                    }
                    return try await Self.launch(
                        configuration,
                        input: .fileDescriptor(descriptor, closeAfterSpawningProcess: true),
                        sink: sink
                    )
                }
            }
            group.addTask {
                try await Task.sleep(for: deadline)
                return nil
            }
            let first = try await group.next()!
            group.cancelAll()
            return first
        }
    }

    private static func launch(
        _ configuration: Configuration,
        input: some InputProtocol,
        sink: (@Sendable (OutputChunk.Stream, [UInt8]) -> Void)?
    ) async throws -> RawResult {
        guard let sink else {
            let result = try await Subprocess.run(
                configuration,
                input: input,
                output: .bytes(limit: 1 << 30),
                error: .bytes(limit: 64 << 20)
            )
            return RawResult(
                status: result.terminationStatus.code,
                stdout: result.standardOutput,
                stderr: result.standardError
            )
        }
        // Both streams are read at once (a command filling one pipe must not block on the other), handed
        // to the sink as they come, and kept for the result.
        let result = try await Subprocess.run(configuration, input: input, output: .sequence, error: .sequence) {
            execution in
            try await withThrowingTaskGroup(of: (OutputChunk.Stream, [UInt8]).self) { group in
                /// Reads one stream to its end, handing each piece to the sink and keeping it all.
                @Sendable func drain(
                    _ sequence: SubprocessOutputSequence,
                    _ stream: OutputChunk.Stream
                ) async throws
                    -> (OutputChunk.Stream, [UInt8])
                {
                    var all: [UInt8] = []
                    for try await buffer in sequence {
                        let bytes = buffer.withUnsafeBytes { Array($0) }
                        all += bytes
                        sink(stream, bytes)
                    }
                    return (stream, all)
                }
                group.addTask { try await drain(execution.standardOutput, .standardOutput) }
                group.addTask { try await drain(execution.standardError, .standardError) }
                var output: (stdout: [UInt8], stderr: [UInt8]) = ([], [])
                for try await (stream, bytes) in group {
                    if stream == .standardOutput { output.stdout = bytes } else { output.stderr = bytes }
                }
                return output
            }
        }
        return RawResult(
            status: result.terminationStatus.code,
            stdout: result.closureResult.stdout,
            stderr: result.closureResult.stderr
        )
    }
}

extension TerminationStatus {
    /// The exit code, or 128 + the signal number as shells report it.
    var code: Int32 {
        switch self {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
    }
}

extension Int64 {
    fileprivate func clamped(to range: ClosedRange<Int64>) -> Int64 {
        Swift.min(Swift.max(self, range.lowerBound), range.upperBound)
    }
}
