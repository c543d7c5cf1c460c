import Foundation
import Logging
import LurusInventory
import Subprocess
import SystemPackage

/// Connections: one ControlMaster per node (after its jump host's), reused by every command, closed at the end.
extension OpenSSHSession {
    /// Starts the node's ControlMaster (after its jump host's), or reuses it.
    public func connect(_ node: Node) async throws {
        if self.connected.contains(node.name) { return }
        if self.openings[node.name] != nil {
            // A command is opening the node's connection (`opensConnection`): its end says how it went.
            do {
                try await withCheckedThrowingContinuation { self.openings[node.name, default: []].append($0) }
                return
            } catch is ConnectAgain {
                return try await self.connect(node)
            }
        }
        if let pending = self.connecting[node.name] { return try await pending.value }
        // A task every caller awaits, so that commands (and jumped nodes) arriving while the handshake is
        // under way share it instead of starting a second master.
        let task = Task { try await self.startMaster(node) }
        self.connecting[node.name] = task
        defer { self.connecting[node.name] = nil }
        try await task.value
        self.connected.insert(node.name)
    }

    func startMaster(_ node: Node) async throws {
        if node.ssh.controlPersist != nil, await self.masterIsRunning(node) {
            self.reused.insert(node.name)
            return
        }
        // An opening command that was stopped may have left its master running: use it rather than make
        // a second one on the same socket.
        if self.uncertain.remove(node.name) != nil, await self.masterIsRunning(node) { return }
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
        guard raw.status == 0 else { throw await self.connectionFailure(of: node, from: raw) }
    }

    /// Whether the command about to run on `node` opens its connection itself: its ssh becomes the node's
    /// master (`ControlMaster=yes`; with `ControlPersist` the master goes on in the background) and runs the
    /// command over it, which saves a second ssh per node on a cold start (about 10 ms of CPU each, four at
    /// once on two cores). Only for a node with no master, none being made, no jump host and no kept
    /// connection (those go through `connect`); commands arriving meanwhile wait for its end.
    func opensConnection(_ node: Node) -> Bool {
        guard !self.connected.contains(node.name), self.connecting[node.name] == nil,
            self.openings[node.name] == nil, !self.uncertain.contains(node.name),
            node.ssh.controlPersist == nil, self.jump(of: node) == nil
        else { return false }
        self.openings[node.name] = []
        return true
    }

    /// The opening command's ssh ended: with `raw` (nil when it was stopped or timed out here).
    func finishOpening(_ node: Node, _ raw: RawResult?) async -> RemoteError? {
        var failure: RemoteError?
        if let raw, raw.status == 255 {
            failure = await self.connectionFailure(of: node, from: raw)
        } else if raw == nil {
            self.uncertain.insert(node.name)
        } else {
            self.connected.insert(node.name)
        }
        let waiting = self.openings.removeValue(forKey: node.name) ?? []
        for command in waiting {
            if let failure {
                command.resume(throwing: failure)
            } else if raw == nil {
                // Stopped before it said how the connection went: each makes sure of it itself.
                command.resume(throwing: ConnectAgain())
            } else {
                command.resume()
            }
        }
        return failure
    }

    /// Said to a command that waited for an opening that ended without an answer: connect again.
    struct ConnectAgain: Error {}

    /// What went wrong connecting to `node`, with the host key fingerprints it offers when its key is unknown.
    func connectionFailure(of node: Node, from raw: RawResult) async -> RemoteError {
        var error = self.failure(of: node, from: raw)
        if error.kind == .unknownHostKey {
            let offered = await self.hostKeyFingerprints(of: node)
            if !offered.isEmpty { error.message += "; it offers \(offered.joined(separator: ", "))" }
        }
        return error
    }

    /// The fingerprints of the keys `node` offers (as `SHA256:... (ED25519)`), read with ssh-keyscan from
    /// here or, behind a jump host, on the jump host. Best effort: empty when they cannot be read.
    func hostKeyFingerprints(of node: Node) async -> [String] {
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

    /// Whether a master kept from an earlier run (`control_persist`) answers on the node's socket.
    func masterIsRunning(_ node: Node) async -> Bool {
        switch ControlSocket.check(self.socketPath(of: node)) {
        case .alive: return true
        case .noMaster, .ended: return false
        case .unclear: break
        }
        let arguments = ["-F", self.configPath, "-O", "check", SSHConfigRenderer.alias(of: node)]
        guard let raw = try? await self.ssh(arguments.map { Array($0.utf8) }, input: .bytes([]), deadline: .seconds(5))
        else { return false }
        return raw.status == 0
    }

    /// Ends every agent, then closes every master at once, except those of nodes that keep their connection
    /// (`control_persist`: they end by themselves once idle that long), and removes the run's private
    /// directory. Called by `with`.
    public func close() async {
        await self.closeAgents()
        // An opening command stopped midway may have left a master: those are closed too.
        let closing = self.connected.union(self.uncertain).compactMap { self.inventory.node(named: $0) }
            .filter { $0.ssh.controlPersist == nil }
        await withTaskGroup(of: Void.self) { group in
            for node in closing {
                let arguments = ["-F", self.configPath, "-O", "exit", SSHConfigRenderer.alias(of: node)]
                let socket = self.socketPath(of: node)
                group.addTask {
                    if [.ended, .noMaster].contains(ControlSocket.exit(socket)) { return }
                    _ = try? await self.ssh(arguments.map { Array($0.utf8) }, input: .bytes([]), deadline: .seconds(10))
                }
            }
        }
        self.connected.removeAll()
        self.uncertain.removeAll()
        self.directory.remove()
    }

    /// The node's master's socket (named as the generated config names it).
    nonisolated func socketPath(of node: Node) -> String {
        "\(self.socketDirectory.path)/\(ControlSocket.name(of: node))"
    }

    /// What went wrong, from what ssh printed when it failed to reach `node`.
    func failure(of node: Node, from raw: RawResult) -> RemoteError {
        SSHFailureClassifier.classify(
            stderr: String(decoding: raw.stderr, as: UTF8.self),
            node: node,
            jump: self.jump(of: node)
        )
    }

    func jump(of node: Node) -> Node? {
        node.ssh.proxyJump.flatMap { self.inventory.node(named: $0) }
    }
}
