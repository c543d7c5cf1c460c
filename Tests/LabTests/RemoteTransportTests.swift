import Foundation
import Logging
import LurusInventory
import LurusRemote
import LurusTestSupport
import Testing

extension LabIntegrationTests {
    /// The OpenSSH transport against the four lab hosts: real sshd, real keys, real failures.
    @Suite struct RemoteTransportTests {
        let logger = Logger(label: "test")

        func run(
            _ line: String,
            on node: Node,
            in inventory: Inventory,
            input: RemoteInput = .bytes([]),
            timeout: Duration = .seconds(60),
            agent: OpenSSHSession.AgentUse = .whenUseful,
            agentStarts: Bool = true
        )
            async throws -> CommandResult
        {
            var options = OpenSSHSession.Options()
            options.agent = agent
            return try await OpenSSHSession.with(inventory, options: options, logger: self.logger) { session in
                // With `.always`, the command after the one that opens the connection goes through the agent.
                if agent == .always { _ = try await session.run(RemoteCommand(shell: "true"), on: node) }
                let result = try await session.run(RemoteCommand(shell: line, input: input, timeout: timeout), on: node)
                if agent == .always {
                    #expect(await session.nodesWithAgent.contains(node.name) == agentStarts, "the agent carried it")
                }
                return result
            }
        }

        func failure(
            of node: Node,
            in inventory: Inventory,
            options: OpenSSHSession.Options = .init()
        ) async throws -> RemoteError? {
            do {
                _ = try await OpenSSHSession.with(inventory, options: options, logger: self.logger) { session in
                    try await session.run(RemoteCommand(shell: "true"), on: node)
                }
                return nil
            } catch let error as RemoteError {
                return error
            }
        }

        @Test func runsOnEveryHostAndOnASubset() async throws {
            let inventory = try await LabIntegrationTests.labInventory()
            let all = try await OpenSSHSession.with(inventory, logger: self.logger) { session in
                await NodeFanOut.map(inventory.nodes) { node in
                    (try? await session.run(RemoteCommand(shell: "hostname"), on: node)).map {
                        String(decoding: $0.stdout, as: UTF8.self)
                    }
                }
            }
            #expect(all == ["brain\n", "heart\n", "monitor\n", "lab\n"])
            let subset = try inventory.nodes(selectedBy: ["postgres,monitor"]).get()
            #expect(subset.map(\.name) == ["heart", "monitor"])
        }

        @Test(arguments: [OpenSSHSession.AgentUse.never, .always])
        func reportsOutputStatusAndSignal(agent: OpenSSHSession.AgentUse) async throws {
            let inventory = try await LabIntegrationTests.labInventory()
            let heart = try #require(inventory.node(named: "heart"))
            let failed = try await self.run("echo out; echo err >&2; exit 7", on: heart, in: inventory, agent: agent)
            #expect(failed.outcome == .exited(7))
            #expect(failed.stdout == Array("out\n".utf8))
            #expect(failed.stderr == Array("err\n".utf8))
            let killed = try await self.run("kill -TERM $$", on: heart, in: inventory, agent: agent)
            #expect(killed.outcome == .signaled(15))
            let missing = try await self.run("no-such-command --flag", on: heart, in: inventory, agent: agent)
            #expect(missing.outcome == .exited(127))
            #expect(String(decoding: missing.stderr, as: UTF8.self).hasSuffix("no-such-command: not found\n"))
            let twoFiftyFive = try await self.run("exit 255", on: heart, in: inventory, agent: agent)
            #expect(twoFiftyFive.outcome == .exited(255), "a command's 255 is not an ssh failure")
            let builtin = try await self.run("cd /tmp", on: heart, in: inventory, agent: agent)
            #expect(builtin.succeeded, "a shell builtin without metacharacters still works")
            let exited = try await self.run("exit 143", on: heart, in: inventory, agent: agent)
            #expect(exited.outcome == .exited(143), "an exit status of 143 is not a signal")
        }

        @Test(arguments: [OpenSSHSession.AgentUse.never, .always])
        func sendsTenMegabytesOnStandardInput(agent: OpenSSHSession.AgentUse) async throws {
            let inventory = try await LabIntegrationTests.labInventory()
            let lab = try #require(inventory.node(named: "lab"))
            var bytes = [UInt8](repeating: 0, count: 10 << 20)
            for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: index &* 2_654_435_761 >> 7) }
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("stdin-\(UUID().uuidString)")
            try Data(bytes).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let local = try await ProcessRunner.run("/usr/bin/sha256sum", [file.path])
            let result = try await self.run("sha256sum", on: lab, in: inventory, input: .bytes(bytes), agent: agent)
            #expect(result.succeeded)
            #expect(String(decoding: result.stdout, as: UTF8.self).prefix(64) == local.stdout.prefix(64))
        }

        @Test(arguments: [OpenSSHSession.AgentUse.never, .always])
        func aTimeoutKillsTheCommandOnTheNode(agent: OpenSSHSession.AgentUse) async throws {
            let inventory = try await LabIntegrationTests.labInventory()
            let monitor = try #require(inventory.node(named: "monitor"))
            let result = try await self.run(
                "sleep 301 & sleep 302; echo never",
                on: monitor,
                in: inventory,
                timeout: .seconds(1),
                agent: agent
            )
            #expect(result.outcome == .timedOut)
            #expect(result.stdout.isEmpty)
            let left = try await self.run("pgrep -f 'sleep 30[12]' || true", on: monitor, in: inventory, agent: agent)
            #expect(left.stdout.isEmpty, "the whole process group was killed on the node")
        }

        @Test func anAbsentHostIsUnreachableWhileTheOthersSucceed() async throws {
            var inventory = try await LabIntegrationTests.labInventory()
            inventory.nodes[1].address = .ipv4("10.77.0.99")  // heart's address, with nothing behind it
            let results = try await OpenSSHSession.with(inventory, logger: self.logger) { session in
                await NodeFanOut.map(inventory.nodes) { node -> String in
                    do {
                        return (try await session.run(RemoteCommand(shell: "true"), on: node)).succeeded
                            ? "ok" : "failed"
                    } catch let error as RemoteError {
                        return error.kind.rawValue
                    } catch {
                        return "\(error)"
                    }
                }
            }
            #expect(results == ["ok", "unreachable", "ok", "ok"])
        }

        @Test func aWrongKeyIsAnAuthenticationFailure() async throws {
            var inventory = try await LabIntegrationTests.labInventory()
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("key-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let keygen = try await ProcessRunner.run(
                "/usr/bin/ssh-keygen",
                ["-q", "-t", "ed25519", "-N", "", "-f", directory.appendingPathComponent("k").path]
            )
            try #require(keygen.status == 0, "\(keygen)")
            inventory.nodes[0].ssh.identityFile = directory.appendingPathComponent("k").path
            let error = try await self.failure(of: inventory.nodes[0], in: inventory)
            #expect(error?.kind == .authentication, "\(String(describing: error))")
            #expect(error?.description.contains("brain (10.77.0.11:22)") == true)
        }

        @Test func unknownAndChangedHostKeysAreRefused() async throws {
            var inventory = try await LabIntegrationTests.labInventory()
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kh-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let real = try String(contentsOfFile: Repository.path(".lab/ssh/known_hosts"), encoding: .utf8)

            // Unknown: an empty known_hosts. Refused, and with --trust-new-hosts accepted and recorded.
            let empty = directory.appendingPathComponent("empty").path
            try "".write(toFile: empty, atomically: true, encoding: .utf8)
            inventory.nodes[0].ssh.knownHostsFile = empty
            let unknown = try await self.failure(of: inventory.nodes[0], in: inventory)
            #expect(unknown?.kind == .unknownHostKey)
            // The error shows the fingerprint the node offers, the same one its known_hosts line has.
            let recorded = try await ProcessRunner.shell(
                "grep '^10.77.0.11 ssh-ed25519' \(Repository.path(".lab/ssh/known_hosts")) | ssh-keygen -l -f - | cut -d' ' -f2"
            )
            let fingerprint = recorded.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(fingerprint.hasPrefix("SHA256:"))
            #expect(unknown?.message.contains("\(fingerprint) (ED25519)") == true, "\(String(describing: unknown))")
            #expect(unknown?.hint.contains("--trust-new-hosts") == true)
            var trusting = OpenSSHSession.Options()
            trusting.trustNewHosts = true
            #expect(try await self.failure(of: inventory.nodes[0], in: inventory, options: trusting) == nil)
            #expect(try String(contentsOfFile: empty, encoding: .utf8).contains("10.77.0.11 ssh-ed25519 "))

            // Changed: heart's key recorded under brain's address. Refused even with --trust-new-hosts.
            let heartKey = try #require(real.split(separator: "\n").first { $0.hasPrefix("10.77.0.12 ssh-ed25519") })
            let wrong = directory.appendingPathComponent("wrong").path
            try (heartKey.replacingOccurrences(of: "10.77.0.12 ", with: "10.77.0.11 ") + "\n")
                .write(toFile: wrong, atomically: true, encoding: .utf8)
            inventory.nodes[0].ssh.knownHostsFile = wrong
            #expect(try await self.failure(of: inventory.nodes[0], in: inventory)?.kind == .changedHostKey)
            #expect(
                try await self.failure(of: inventory.nodes[0], in: inventory, options: trusting)?.kind
                    == .changedHostKey
            )
        }

        @Test func aHostBehindAJumpHostIsReachedThroughIt() async throws {
            let direct = try await LabIntegrationTests.labInventory()
            let labIndex = try #require(direct.nodes.firstIndex { $0.name == "lab" })
            var jumped = direct
            jumped.nodes[labIndex].ssh.proxyJump = "brain"
            // Make lab unreachable from this machine but not from brain: it drops its route back to us.
            // Done through brain, so the connection that adds the route is not the one it cuts.
            let cut = try await self.run("ip route add blackhole 10.77.0.1/32", on: jumped.nodes[labIndex], in: jumped)
            try #require(cut.succeeded, "\(String(decoding: cut.stderr, as: UTF8.self))")
            var quick = direct
            quick.nodes[labIndex].ssh.connectTimeout = try #require(InventoryDuration.parse("2s"))
            let error = try? await self.failure(of: quick.nodes[labIndex], in: quick)
            let through = try? await self.run("hostname", on: jumped.nodes[labIndex], in: jumped)
            let restore = try await self.run(
                "ip route del blackhole 10.77.0.1/32",
                on: jumped.nodes[labIndex],
                in: jumped
            )
            #expect(restore.succeeded)
            #expect(error?.kind == .unreachable, "\(String(describing: error))")
            #expect(through?.stdout == Array("lab\n".utf8))
        }

        @Test(arguments: [OpenSSHSession.AgentUse.never, .always])
        func aNonRootUserRunsThroughSudo(agent: OpenSSHSession.AgentUse) async throws {
            var inventory = try await LabIntegrationTests.labInventory()
            let heartIndex = try #require(inventory.nodes.firstIndex { $0.name == "heart" })
            let setup = """
                id deploy >/dev/null 2>&1 || useradd -m -s /bin/bash deploy
                id nosudo >/dev/null 2>&1 || useradd -m -s /bin/bash nosudo
                for user in deploy nosudo; do
                    install -d -m 700 -o $user -g $user /home/$user/.ssh
                    install -m 600 -o $user -g $user /root/.ssh/authorized_keys /home/$user/.ssh/authorized_keys
                done
                echo 'deploy ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/deploy && chmod 440 /etc/sudoers.d/deploy
                """
            let prepared = try await self.run(setup, on: inventory.nodes[heartIndex], in: inventory, agent: agent)
            try #require(prepared.succeeded, "\(String(decoding: prepared.stderr, as: UTF8.self))")

            inventory.nodes[heartIndex].ssh.user = "deploy"
            let asDeploy = try await self.run(
                "id -un; cat /etc/shadow >/dev/null && echo can-read-shadow",
                on: inventory.nodes[heartIndex],
                in: inventory,
                agent: agent
            )
            #expect(String(decoding: asDeploy.stdout, as: UTF8.self) == "root\ncan-read-shadow\n")

            inventory.nodes[heartIndex].ssh.user = "nosudo"
            let refused = try await self.run(
                "id -un",
                on: inventory.nodes[heartIndex],
                in: inventory,
                agent: agent,
                agentStarts: false
            )
            #expect(!refused.succeeded)
            #expect(String(decoding: refused.stderr, as: UTF8.self).contains("sudo: a password is required"))
        }

        @Test func theIncludedSSHConfigIsHonoured() async throws {
            var inventory = try await LabIntegrationTests.labInventory()
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cfg-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let config = directory.appendingPathComponent("config").path
            // A setting lurusctl does not make itself: it can only come from the included file.
            try "Host *\n    SetEnv LC_LURUS_PROBE=from-included-config\n".write(
                toFile: config,
                atomically: true,
                encoding: .utf8
            )
            inventory.nodes[0].ssh.configFile = .path(config)
            let result = try await self.run("echo ${LC_LURUS_PROBE:-unset}", on: inventory.nodes[0], in: inventory)
            #expect(result.stdout == Array("from-included-config\n".utf8))
            inventory.nodes[0].ssh.configFile = SSHSettings.ConfigFile.none
            let without = try await self.run("echo ${LC_LURUS_PROBE:-unset}", on: inventory.nodes[0], in: inventory)
            #expect(without.stdout == Array("unset\n".utf8))
        }

        @Test func aJumpHostThatIsDownIsNamed() async throws {
            var inventory = try await LabIntegrationTests.labInventory()
            let brainIndex = try #require(inventory.nodes.firstIndex { $0.name == "brain" })
            let labIndex = try #require(inventory.nodes.firstIndex { $0.name == "lab" })
            inventory.nodes[brainIndex].address = .ipv4("10.77.0.99")  // nothing answers there
            inventory.nodes[brainIndex].ssh.connectTimeout = try #require(InventoryDuration.parse("2s"))
            inventory.nodes[labIndex].ssh.proxyJump = "brain"
            let error = try await self.failure(of: inventory.nodes[labIndex], in: inventory)
            #expect(error?.kind == .jumpHost, "\(String(describing: error))")
            #expect(error?.node == "lab")
            #expect(error?.message.contains("jump host brain") == true)
        }

        /// The command prints "second" only after the test has received "first" and created /tmp/go: that
        /// can happen only if output is handed over while the command is still running.
        @Test func outputArrivesWhileTheCommandRuns() async throws {
            let inventory = try await LabIntegrationTests.labInventory()
            let heart = try #require(inventory.node(named: "heart"))
            let (received, continuation) = AsyncStream<String>.makeStream()
            let result = try await OpenSSHSession.with(inventory, logger: self.logger) { session in
                _ = try await session.run(RemoteCommand(shell: "rm -f /tmp/go"), on: heart)
                let waiting = """
                    echo first; for i in $(seq 100); do [ -e /tmp/go ] && break; sleep 0.1; done
                    [ -e /tmp/go ] && echo second
                    """
                async let running = session.run(
                    RemoteCommand(shell: waiting, timeout: .seconds(30)),
                    on: heart,
                    streaming: { chunk in continuation.yield(String(decoding: chunk.bytes, as: UTF8.self)) }
                )
                for await text in received where text.contains("first") { break }
                _ = try await session.run(RemoteCommand(shell: "touch /tmp/go"), on: heart)
                return try await running
            }
            #expect(result.stdout == Array("first\nsecond\n".utf8))
        }

        /// sshd allows 10 sessions per connection by default. Past that the master refuses the session and
        /// ssh quietly opens a connection of its own (a full handshake), saying so on stderr: 30 commands at
        /// once on one node must all run over the master, with nothing on stderr.
        @Test func manyCommandsAtOnceOnOneNodeStayUnderMaxSessions() async throws {
            let inventory = try await LabIntegrationTests.labInventory()
            let brain = try #require(inventory.node(named: "brain"))
            let results = try await OpenSSHSession.with(inventory, logger: self.logger) { session in
                try await withThrowingTaskGroup(of: CommandResult.self) { group in
                    for index in 0..<30 {
                        group.addTask {
                            try await session.run(RemoteCommand(shell: "sleep 0.3; echo \(index)"), on: brain)
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
            }
            let outputs = Set(results.map { String(decoding: $0.stdout, as: UTF8.self) })
            #expect(outputs == Set((0..<30).map { "\($0)\n" }))
            let complaints = results.map { String(decoding: $0.stderr, as: UTF8.self) }.filter { !$0.isEmpty }
            #expect(
                complaints.isEmpty,
                "\(complaints.count) commands fell back to a connection of their own: \(complaints.first ?? "")"
            )
        }

        /// By default a node's agent starts at its sixth command and carries the commands after it; a
        /// session with one command per node starts none.
        @Test func aNodeWithManyCommandsGetsAnAgentAndOneWithOneDoesNot() async throws {
            let inventory = try await LabIntegrationTests.labInventory()
            let brain = try #require(inventory.node(named: "brain"))
            let heart = try #require(inventory.node(named: "heart"))
            let (withAgent, outputs) = try await OpenSSHSession.with(inventory, logger: self.logger) { session in
                _ = try await session.run(RemoteCommand(shell: "true"), on: heart)
                var outputs: [String] = []
                for index in 0..<40 {
                    let result = try await session.run(RemoteCommand(shell: "echo \(index)"), on: brain)
                    outputs.append(String(decoding: result.stdout, as: UTF8.self))
                }
                return (await session.nodesWithAgent, outputs)
            }
            #expect(withAgent == ["brain"])
            #expect(outputs == (0..<40).map { "\($0)\n" })
        }

        /// The agent's connection cut from this side (its ssh killed, as when the network drops): the
        /// command running through it fails as a lost connection, and the agent stops it on the node.
        @Test func aCutAgentConnectionFailsItsCommandAndStopsItOnTheNode() async throws {
            let inventory = try await LabIntegrationTests.labInventory()
            let lab = try #require(inventory.node(named: "lab"))
            var options = OpenSSHSession.Options()
            options.agent = .always
            let outcome = try await OpenSSHSession.with(inventory, options: options, logger: self.logger) { session in
                _ = try await session.run(RemoteCommand(shell: "true"), on: lab)  // opens the connection
                async let running = session.run(RemoteCommand(shell: "sleep 3401 & sleep 3402"), on: lab)
                try await Task.sleep(for: .seconds(1))
                #expect(await session.nodesWithAgent == ["lab"], "the command runs through the agent")
                let directory = (session.configFilePath as NSString).deletingLastPathComponent
                let cut = try await ProcessRunner.shell(
                    "pkill -KILL -f -- '\(directory)/ssh_config lurusctl.lab -- .*[u]se POSIX' && echo cut"
                )
                #expect(cut.stdout == "cut\n", "\(cut)")
                do {
                    return "ran: \(try await running.outcome)"
                } catch let error as RemoteError {
                    return error.kind.rawValue
                }
            }
            #expect(outcome == RemoteError.Kind.transport.rawValue)
            var left = ""
            for _ in 0..<50 {
                let listing = try await self.run("pgrep -f '^sleep 340[12]' || true", on: lab, in: inventory)
                left = String(decoding: listing.stdout, as: UTF8.self)
                if left.isEmpty { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(left.isEmpty, "the agent stopped the command's group when its connection went")
        }

        @Test func noSSHProcessOrSocketRemainsAfterASession() async throws {
            let inventory = try await LabIntegrationTests.labInventory()
            let configuration = try await OpenSSHSession.with(inventory, logger: self.logger) { session in
                _ = await NodeFanOut.map(inventory.nodes) { node in
                    try? await session.run(RemoteCommand(shell: "true"), on: node)
                }
                return session.configFilePath
            }
            let directory = (configuration as NSString).deletingLastPathComponent
            #expect(!FileManager.default.fileExists(atPath: directory), "the session's directory is left")
            let listing = try await ProcessRunner.run("/bin/ps", ["-eo", "comm=,args="])
            let left = listing.stdout.split(separator: "\n").filter { $0.hasPrefix("ssh ") && $0.contains(directory) }
            #expect(left.isEmpty, "ssh processes left: \(left)")
        }

        /// With `control_persist`, a session leaves its masters running and the next one uses them with
        /// no handshake.
        @Test func keptConnectionsServeTheNextSession() async throws {
            var inventory = try await LabIntegrationTests.labInventory()
            for index in inventory.nodes.indices {
                inventory.nodes[index].ssh.controlPersist = InventoryDuration.parse("30s")
            }
            let kept = try ControlDirectory.persistent()
            defer { kept.endMasters() }
            kept.endMasters()
            let first = try await OpenSSHSession.with(inventory, logger: self.logger) { session in
                _ = await NodeFanOut.map(inventory.nodes) { node in
                    try? await session.run(RemoteCommand(shell: "true"), on: node)
                }
                return await session.reused
            }
            #expect(first.isEmpty)
            let masters = try await ProcessRunner.run("/usr/bin/pgrep", ["-f", "-c", "ControlMaster=yes"])
            #expect(Int(masters.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 >= inventory.nodes.count)
            let start = ContinuousClock.now
            let second = try await OpenSSHSession.with(inventory, logger: self.logger) { session in
                _ = await NodeFanOut.map(inventory.nodes) { node in
                    try? await session.run(RemoteCommand(shell: "true"), on: node)
                }
                return await session.reused
            }
            #expect(second == Set(inventory.nodes.map(\.name)))
            // lurusctl's own ControlMaster requests, against the real masters: alive (a running ssh), then ended.
            let socket = "\(kept.path)/\(ControlSocket.name(of: inventory.nodes[0]))"
            guard case .alive(let pid) = ControlSocket.check(socket) else {
                Issue.record("no live master at \(socket): \(ControlSocket.check(socket))")
                return
            }
            #expect(kill(pid, 0) == 0)
            #expect(ControlSocket.exit(socket) == .ended)
            var gone = false
            for _ in 0..<50 where !gone {
                // Gone, or a zombie waiting for init to reap it (the state after the name in /proc/PID/stat).
                let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
                gone = kill(pid, 0) != 0 || stat.components(separatedBy: ") ").last?.hasPrefix("Z") == true
                if !gone { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(
                gone,
                "the master ended: \((try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? "")"
            )
            #expect(ControlSocket.check(socket) == .noMaster)
            print("second session with kept masters: \(ContinuousClock.now - start) for \(inventory.nodes.count) nodes")
        }
    }
}
