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
