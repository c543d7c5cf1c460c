import Foundation
import LurusInventory
import LurusRemote
import LurusTestSupport
import Testing

@Suite struct SSHConfigRendererTests {
    func production() throws -> Inventory {
        try InventoryLoader.load(path: Repository.path("inventory/lurus.yaml"), environment: ["HOME": "/home/operator"])
            .inventory
    }

    @Test func eachNodeHasItsOwnBlockAndLabJumpsThroughBrainsAlias() throws {
        // The header names the inventory by its path, which depends on where the repository is.
        let text = SSHConfigRenderer(controlDirectory: "/tmp/lurusctl-abc123", trustNewHosts: false)
            .render(try self.production()).replacingOccurrences(of: Repository.root.path, with: "<repository>")
        let goldenPath = Repository.path("Tests/LurusRemoteTests/Golden/ssh_config-lurus")
        if ProcessInfo.processInfo.environment["LURUS_UPDATE_GOLDEN"] == "1" {
            try text.write(toFile: goldenPath, atomically: true, encoding: .utf8)
        }
        let golden = try String(contentsOfFile: goldenPath, encoding: .utf8)
        #expect(text == golden)
        #expect(text.contains("Host lurusctl.lab\n    HostName 192.168.88.252"))
        #expect(text.contains("    ProxyJump lurusctl.brain\n"))
        #expect(!text.contains("accept-new"))
    }

    @Test func trustNewHostsAcceptsNewKeysOnly() throws {
        let text = SSHConfigRenderer(controlDirectory: "/tmp/x", trustNewHosts: true).render(try self.production())
        #expect(text.contains("StrictHostKeyChecking accept-new"))
        #expect(!text.contains("StrictHostKeyChecking no"))
    }
}

/// The messages below are what OpenSSH 9.2 printed in the local lab for each failure.
@Suite struct SSHFailureClassifierTests {
    let node: Node = {
        var node = Node(name: "lab", address: .ipv4("10.77.0.14"))
        node.ssh.knownHostsFile = "/k"
        return node
    }()
    let jump = Node(name: "brain", address: .ipv4("10.77.0.11"))

    func kind(_ stderr: String, jump: Node? = nil) -> RemoteError.Kind {
        SSHFailureClassifier.classify(stderr: stderr, node: self.node, jump: jump).kind
    }

    @Test func recognisesEachFailure() {
        #expect(
            self.kind(
                "No ED25519 host key is known for 10.77.0.14 and you have requested strict checking.\nHost key verification failed.\n"
            ) == .unknownHostKey
        )
        #expect(
            self.kind(
                "@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\nSHA256:abc.\nHost key verification failed.\n"
            ) == .changedHostKey
        )
        #expect(self.kind("root@10.77.0.14: Permission denied (publickey).\n") == .authentication)
        #expect(self.kind("ssh: connect to host 10.77.0.14 port 2: Connection refused\n") == .unreachable)
        #expect(self.kind("ssh: connect to host 10.77.0.14 port 22: Connection timed out\n") == .unreachable)
        #expect(
            self.kind(
                "ssh: connect to host 10.77.0.99 port 22: No route to host\nkex_exchange_identification: Connection closed by remote host\n",
                jump: self.jump
            ) == .jumpHost
        )
        #expect(self.kind("Connection to 10.77.0.14 closed by remote host.\n") == .transport)
    }

    @Test func aChangedKeyNamesTheFixAndNeverSuggestsDisablingChecks() {
        let error = SSHFailureClassifier.classify(
            stderr: "WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!\n",
            node: self.node,
            jump: nil
        )
        #expect(error.hint.contains("ssh-keygen -f \"/k\" -R \"10.77.0.14\""))
        #expect(!error.hint.contains("StrictHostKeyChecking"))
    }
}

/// The key exchange each node gets, as the real `ssh -G` reads the generated config (nothing connects):
/// the fast default where the user's config is silent, the user's choice where it speaks, and the
/// inventory's list over both.
@Suite struct KeyExchangeTests {
    /// `kexalgorithms` as ssh resolves it for `node` with `settings`, the user's config being `userConfig`.
    func resolved(_ keyExchange: SSHSettings.KeyExchange, userConfig: String?) async throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lurus-kex-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var node = Node(name: "brain", address: .ipv4("10.77.0.11"))
        node.ssh.keyExchange = keyExchange
        if let userConfig {
            let path = folder.appendingPathComponent("user_config").path
            try userConfig.write(toFile: path, atomically: true, encoding: .utf8)
            node.ssh.configFile = .path(path)
        } else {
            node.ssh.configFile = .none
        }
        var inventory = try InventoryLoader.load(path: Repository.path("inventory/lab.yaml")).inventory
        inventory.nodes = [node]
        let config = folder.appendingPathComponent("ssh_config").path
        try SSHConfigRenderer(controlDirectory: folder.path, trustNewHosts: false).render(inventory)
            .write(toFile: config, atomically: true, encoding: .utf8)
        let result = try await ProcessRunner.run("/usr/bin/ssh", ["-G", "-F", config, "lurusctl.brain"])
        let line = result.stdout.split(separator: "\n").first { $0.hasPrefix("kexalgorithms ") }
        return String(
            try #require(line, "ssh -G printed no kexalgorithms: \(result)").dropFirst("kexalgorithms ".count)
        )
    }

    @Test func fastIsTheDefaultWhereTheUserIsSilent() async throws {
        #expect(
            try await self.resolved(.fast, userConfig: nil)
                == SSHSettings.KeyExchange.fastAlgorithms.joined(separator: ",")
        )
        #expect(
            try await self.resolved(.fast, userConfig: "Host *\n    ServerAliveInterval 9\n")
                == SSHSettings.KeyExchange.fastAlgorithms.joined(separator: ",")
        )
    }

    @Test func theUsersOwnKeyExchangeWinsOverTheDefault() async throws {
        let user = "Host *\n    KexAlgorithms sntrup761x25519-sha512@openssh.com\n"
        #expect(try await self.resolved(.fast, userConfig: user) == "sntrup761x25519-sha512@openssh.com")
    }

    @Test func theInventorysListWinsOverTheUsers() async throws {
        let user = "Host *\n    KexAlgorithms sntrup761x25519-sha512@openssh.com\n"
        #expect(
            try await self.resolved(.algorithms(["ecdh-sha2-nistp256"]), userConfig: user) == "ecdh-sha2-nistp256"
        )
    }

    @Test func defaultLeavesSshItsOwnChoice() async throws {
        let chosen = try await self.resolved(.sshDefault, userConfig: nil)
        #expect(chosen.hasPrefix("sntrup761x25519-sha512"), "\(chosen)")
    }
}

/// Run directories: a directory whose run was killed is swept by the next run; one in use, someone
/// else's, and the persistent one are left alone; the persistent directory must be a private folder.
@Suite struct ControlDirectoryTests {
    func base() throws -> String {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("lurus-cd-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        return base
    }

    func makeRun(_ base: String, _ name: String, owner: String?) throws -> String {
        let path = "\(base)/lurusctl-\(name)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        if let owner { try owner.write(toFile: "\(path)/owner", atomically: true, encoding: .utf8) }
        return path
    }

    @Test func aKilledRunsDirectoryIsSweptAndLiveOnesStay() async throws {
        let base = try self.base()
        defer { try? FileManager.default.removeItem(atPath: base) }
        // A process that has ended: its pid names a run that is gone.
        let ended = try await ProcessRunner.run("/bin/sh", ["-c", "echo $$"])
        let dead = try self.makeRun(
            base,
            "dead01",
            owner: "\(ended.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) 1\n"
        )
        let live = try self.makeRun(base, "live01", owner: "\(getpid()) 0\n")
        let reused = try self.makeRun(base, "reus01", owner: "\(getpid()) 1\n")  // our pid, another start time
        let legacy = try self.makeRun(base, "old001", owner: nil)
        let kept = try ControlDirectory.persistent(base: base)
        let run = try ControlDirectory.create(base: base)
        defer { run.remove() }
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: base).map { "\(base)/\($0)" })
        #expect(!left.contains(dead))
        #expect(!left.contains(reused))
        #expect(left.contains(live))
        #expect(left.contains(legacy), "an owner-less directory younger than an hour is left alone")
        #expect(left.contains(kept.path))
        #expect(left.contains(run.path))
        let owner = try String(contentsOfFile: "\(run.path)/owner", encoding: .utf8)
        #expect(owner.hasPrefix("\(getpid()) "))
    }

    @Test func thePersistentDirectoryMustBeAPrivateFolder() throws {
        let base = try self.base()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let path = "\(base)/lurusctl-keep-\(getuid())"
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: base)
        #expect(throws: RemoteError.self) { try ControlDirectory.persistent(base: base) }
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        chmod(path, 0o755)
        #expect(throws: RemoteError.self) { try ControlDirectory.persistent(base: base) }
        chmod(path, 0o700)
        #expect(try ControlDirectory.persistent(base: base).path == path)
    }
}

/// The ControlMaster requests lurusctl makes itself, where no master is (the lab test
/// `keptConnectionsServeTheNextSession` asks real masters).
@Suite struct ControlSocketTests {
    @Test func whereNothingListensThereIsNoMaster() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mux-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("absent").path
        #expect(ControlSocket.check(missing) == .noMaster)
        #expect(ControlSocket.exit(missing) == .noMaster)
        let file = directory.appendingPathComponent("owner").path
        #expect(FileManager.default.createFile(atPath: file, contents: Data("1 2\n".utf8)))
        #expect(ControlSocket.check(file) == .noMaster, "a plain file in the directory is not a master")
    }

    @Test func aSocketIsNamedByItsDestination() throws {
        let inventory = try InventoryLoader.load(path: Repository.path("inventory/lab.yaml")).inventory
        var moved = inventory.nodes[0]
        moved.address = .ipv4("10.77.0.99")
        var other = inventory.nodes[0]
        other.name = "renamed"
        let names = [inventory.nodes[0], moved, other].map(ControlSocket.name(of:))
        #expect(names[0] != names[1], "another address is another master")
        #expect(names[0] == names[2], "the same destination under another name shares its master")
        #expect(names[0].count == 20 && names[0].allSatisfy(\.isHexDigit))
    }
}
