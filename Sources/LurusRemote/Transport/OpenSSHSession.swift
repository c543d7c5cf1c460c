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
        public var agent = AgentUse.whenUseful
        public init() {}
    }

    let inventory: Inventory
    let options: Options
    /// This run's private directory: the generated config, the owner file and, unless nodes keep their
    /// connections, the sockets.
    let directory: ControlDirectory
    /// Where the sockets are: `directory`, or the persistent one when a node has `control_persist`.
    let socketDirectory: ControlDirectory
    let configPath: String
    /// The generated ssh_config of this session.
    public nonisolated var configFilePath: String { self.configPath }
    nonisolated var sshExecutablePath: String { self.options.sshExecutable }
    let logger: Logger
    /// Nodes whose master is up, and connection attempts under way (so two commands share one).
    var connected: Set<String> = []
    var connecting: [String: Task<Void, any Error>] = [:]
    /// Commands running per node, and those waiting for a place.
    var running: [String: Int] = [:]
    var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]
    /// Nodes whose master was kept from an earlier run (`control_persist`): no handshake this run.
    public internal(set) var reused: Set<String> = []
    /// Agents being started, those ready, and nodes whose commands run one session each.
    var agentStarts: [String: Task<NodeAgent?, Never>] = [:]
    var agents: [String: NodeAgent] = [:]
    var agentless: Set<String> = []
    /// Nodes whose connection a command is opening (with the commands waiting for it), and nodes whose
    /// opening command was stopped before it said whether its master came up.
    var openings: [String: [CheckedContinuation<Void, any Error>]] = [:]
    var uncertain: Set<String> = []
    /// Nodes whose commands now go through an agent.
    public var nodesWithAgent: Set<String> { Set(self.agents.filter { !$0.value.hasEnded }.keys) }
    /// Round trips made per node (commands run, uploads included), for benchmarks and diagnostics.
    public private(set) var roundTrips: [String: Int] = [:]

    /// Commands at once over one node's master: below sshd's default `MaxSessions 10`, which caps the
    /// channels of one connection (a jumped node's own master takes one channel on its jump host's).
    public static let commandsPerNode = 8

    private init(inventory: Inventory, options: Options, logger: Logger) throws {
        RemoteAgent.ignoreBrokenPipes()
        self.inventory = inventory
        self.options = options
        self.logger = logger
        self.directory = try ControlDirectory.create()
        let persisting = inventory.nodes.contains { $0.ssh.controlPersist != nil }
        do {
            self.socketDirectory = persisting ? try ControlDirectory.persistent() : self.directory
        } catch {
            self.directory.remove()
            throw error
        }
        self.configPath = "\(self.directory.path)/ssh_config"
        let config = SSHConfigRenderer(
            controlDirectory: self.socketDirectory.path,
            trustNewHosts: options.trustNewHosts
        )
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
        let opening = self.opensConnection(node)
        if !opening { try await self.connect(node) }
        self.roundTrips[node.name, default: 0] += 1
        await self.acquirePlace(on: node.name)
        defer { self.releasePlace(on: node.name) }
        let start = ContinuousClock.now
        let seconds = Int(command.timeout.components.seconds.clamped(to: 1...86_400))
        logger.debug(
            "run",
            metadata: ["node": "\(node.name)", "command": "\(String(decoding: command.line, as: UTF8.self))"]
        )
        let name = node.name
        var forward: (@Sendable (OutputChunk.Stream, [UInt8]) -> Void)?
        if let sink {
            forward = { stream, bytes in sink(OutputChunk(node: name, stream: stream, bytes: bytes)) }
        }
        // A command that opens the connection makes the master the agent would run over: never through one.
        if !opening, let agent = await self.agent(for: node, running: command) {
            let reply = try await self.run(command, on: node, through: agent, seconds: seconds, sink: forward)
            return CommandResult(
                node: node.name,
                outcome: reply.outcome,
                stdout: reply.stdout,
                stderr: reply.stderr,
                duration: ContinuousClock.now - start
            )
        }
        let wrapped = RemoteRunner.wrap(command.line, timeoutSeconds: seconds, become: node.ssh.user != "root")
        let arguments =
            [
                ["-F", self.configPath] + (opening ? ["-o", "ControlMaster=yes"] : []),
                [SSHConfigRenderer.alias(of: node), "--"],
            ]
            .flatMap { $0 }.map { Array($0.utf8) } + [Shell.render(wrapped)]
        // The runner enforces the deadline on the node; the local one only catches a hung connection. An
        // opening command also has the handshake's time.
        let local =
            command.timeout + .seconds(15) + (opening ? .seconds(node.ssh.connectTimeout.seconds * 2 + 10) : .zero)
        let raw: RawResult?
        do {
            raw = try await self.ssh(arguments, input: command.input, deadline: local, sink: forward)
        } catch {
            if opening { _ = await self.finishOpening(node, nil) }
            throw error
        }
        if opening, let failure = await self.finishOpening(node, raw) { throw failure }
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

    func acquirePlace(on node: String) async {
        if self.running[node, default: 0] < Self.commandsPerNode {
            self.running[node, default: 0] += 1
            return
        }
        await withCheckedContinuation { self.waiting[node, default: []].append($0) }
    }

    /// Hands the place to the next waiting command, or frees it.
    func releasePlace(on node: String) {
        if var queue = self.waiting[node], !queue.isEmpty {
            let next = queue.removeFirst()
            self.waiting[node] = queue
            next.resume()
        } else {
            self.running[node, default: 1] -= 1
        }
    }
}
