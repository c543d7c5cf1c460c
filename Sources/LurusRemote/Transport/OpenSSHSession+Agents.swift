import LurusInventory

/// Agents: one long-lived runner per node (`RemoteAgent`), so that a node's many small commands cost a
/// frame each instead of an SSH session each.
extension OpenSSHSession {
    /// When a session runs a node's commands through an agent.
    public enum AgentUse: Sendable {
        /// At a node's sixth command an agent starts in the background, and the commands after it use it
        /// once it is ready. A run with a few commands per node (`exec`; a no-op `up`: facts, probe, audit,
        /// and the lock's take and release on its node) starts none, so it pays nothing for one.
        case whenUseful
        /// Every command but the one that opens the node's connection waits for the node's agent (tests of
        /// the agent itself).
        case always
        /// One SSH session per command.
        case never
    }

    /// The command of a node that starts its agent.
    static let commandsBeforeAgent = 6

    /// The node's agent, when it is ready for `command`; starts one in the background when useful.
    func agent(for node: Node, running command: RemoteCommand) async -> NodeAgent? {
        guard case .bytes = command.input, !self.agentless.contains(node.name) else { return nil }
        if let agent = self.agents[node.name] { return agent.hasEnded ? nil : agent }
        switch self.options.agent {
        case .never:
            return nil
        case .always:
            return await self.startAgent(on: node).value
        case .whenUseful:
            if self.roundTrips[node.name, default: 0] >= Self.commandsBeforeAgent { _ = self.startAgent(on: node) }
            return nil
        }
    }

    func startAgent(on node: Node) -> Task<NodeAgent?, Never> {
        if let starting = self.agentStarts[node.name] { return starting }
        let arguments = [
            ["-F", self.configPath, SSHConfigRenderer.alias(of: node), "--"].map { Array($0.utf8) },
            [Shell.render(RemoteAgent.command(become: node.ssh.user != "root"))],
        ]
        let configuration = self.sshConfiguration(arguments.flatMap { $0 })
        let name = node.name
        let task = Task {
            let agent = await NodeAgent.start(configuration, readyWithin: .seconds(10))
            await self.agentStarted(agent, on: name)
            return agent
        }
        self.agentStarts[name] = task
        return task
    }

    func agentStarted(_ agent: NodeAgent?, on node: String) {
        if let agent {
            self.agents[node] = agent
        } else {
            // It did not start (no perl, sudo asking for a password): the node's commands go one session
            // each, which reports such problems the way it always has.
            self.agentless.insert(node)
            logger.debug("no agent; a session per command", metadata: ["node": "\(node)"])
        }
    }

    /// Runs `command` through `agent`; a command outliving its deadline here (a hung connection) is stopped.
    func run(
        _ command: RemoteCommand,
        on node: Node,
        through agent: NodeAgent,
        seconds: Int,
        sink: (@Sendable (OutputChunk.Stream, [UInt8]) -> Void)?
    ) async throws -> NodeAgent.Reply {
        guard case .bytes(let input) = command.input else { preconditionFailure("an agent takes bytes only") }
        let local = command.timeout + .seconds(15)
        let reply: NodeAgent.Reply?
        do {
            reply = try await withDeadline(local) {
                try await agent.run(command.line, input: input, seconds: seconds, sink: sink)
            }
        } catch let ended as NodeAgent.Ended {
            self.agents[node.name] = nil
            self.agentless.insert(node.name)
            if ended.status == 255 {
                throw self.failure(of: node, from: RawResult(status: 255, stdout: [], stderr: ended.stderr))
            }
            throw RemoteError(
                .transport,
                node: node.name,
                address: "\(node.address)",
                "the connection's runner ended\(ended.status.map { " (status \($0))" } ?? "") before the command did",
                hint: "check the node; a rerun starts a new connection"
            )
        }
        guard let reply else {
            throw RemoteError(
                .timeout,
                node: node.name,
                address: "\(node.address)",
                "no answer within \(local)",
                hint: "the connection hung; check the node"
            )
        }
        return reply
    }

    /// Ends every agent (each stops whatever still runs on its node), all at once.
    func closeAgents() async {
        let starts = Array(self.agentStarts.values)
        self.agentStarts.removeAll()
        self.agents.removeAll()
        await withTaskGroup(of: Void.self) { group in
            for start in starts {
                group.addTask { await start.value?.close(within: .seconds(5)) }
            }
        }
    }
}
