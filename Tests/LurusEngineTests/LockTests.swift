import Foundation
import LurusInventory
import LurusRemote
import Subprocess
import SystemPackage
import Testing

@testable import LurusEngine

/// The lock's scripts run here with `/bin/sh` on a temporary folder, its holder and its messages.
@Suite struct LockTests {
    /// Runs a lock script locally; returns its exit status and standard output.
    static func run(_ command: ShellCommand, input: [UInt8] = []) async throws -> (status: Int32, stdout: String) {
        let words = command.arguments.map { String(decoding: $0, as: UTF8.self) }
        let result = try await Subprocess.run(
            .path("/bin/sh"),
            arguments: Arguments(Array(words.dropFirst())),
            input: .array(input),
            output: .string(limit: 1 << 16)
        )
        guard case .exited(let code) = result.terminationStatus else { return (-1, "") }
        return (code, result.standardOutput)
    }

    static func holder(_ id: String) -> LockHolder {
        LockHolder(
            id: id,
            user: "alice",
            host: "laptop",
            pid: 4242,
            command: "up",
            started: "2025-06-01T09:30:00Z",
            inventory: "inventory/lurus.yaml"
        )
    }

    @Test func scriptsTakeReportAndReleaseTheLock() async throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("lurus-lock-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        let ours = try Self.holder("aaaa").encodedLine()
        let theirs = try Self.holder("bbbb").encodedLine()
        let status = LockScripts.command(LockScripts.status, directory: base)
        #expect(try await Self.run(status).status == 2)
        let take = LockScripts.command(LockScripts.acquire, directory: base)
        #expect(try await Self.run(take, input: ours).status == 0)
        let mode = try FileManager.default.attributesOfItem(atPath: base)[.posixPermissions] as? Int
        #expect(mode == 0o700)
        let file = try FileManager.default.attributesOfItem(atPath: "\(base)/lock/holder.json")
        #expect(file[.posixPermissions] as? Int == 0o600)
        let again = try await Self.run(take, input: theirs)
        #expect(again.status == 3)
        #expect(LockHolder.decode(Array(again.stdout.utf8)) == Self.holder("aaaa"))
        #expect(try await Self.run(status).stdout == String(decoding: ours, as: UTF8.self))
        let wrong = try await Self.run(LockScripts.command(LockScripts.release, directory: base, "bbbb"))
        #expect(wrong.status == 3, "someone else's lock is left alone")
        #expect(FileManager.default.fileExists(atPath: "\(base)/lock/holder.json"))
        #expect(try await Self.run(LockScripts.command(LockScripts.release, directory: base, "aaaa")).status == 0)
        #expect(!FileManager.default.fileExists(atPath: "\(base)/lock"))
        #expect(try await Self.run(LockScripts.command(LockScripts.release, directory: base, "aaaa")).status == 2)
        #expect(try await Self.run(take, input: theirs).status == 0)
        let forced = try await Self.run(LockScripts.command(LockScripts.forceRelease, directory: base))
        #expect(forced.status == 0 && LockHolder.decode(Array(forced.stdout.utf8))?.id == "bbbb")
        #expect(try await Self.run(LockScripts.command(LockScripts.forceRelease, directory: base)).status == 2)
    }

    @Test func racingTakersGetOneLock() async throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("lurus-lock-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        let take = LockScripts.command(LockScripts.acquire, directory: base)
        let statuses = try await withThrowingTaskGroup(of: Int32.self) { group in
            for index in 0..<12 {
                let line = try Self.holder("id\(index)").encodedLine()
                group.addTask { try await Self.run(take, input: line).status }
            }
            return try await group.reduce(into: [Int32]()) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == 0 }.count == 1)
        #expect(statuses.filter { $0 == 3 }.count == 11)
    }

    @Test func heldErrorNamesWhoWhenWhatAndTheWayOut() {
        let error = LockError.held(Self.holder("aaaa"), node: "brain", waited: nil)
        let text = error.description
        #expect(text.hasPrefix("the cluster is locked on brain by alice@laptop (pid 4242) running lurusctl up since "))
        #expect(text.contains("2025-06-01T09:30:00Z (") && text.contains(" ago)"))
        #expect(text.contains("inventory inventory/lurus.yaml"))
        #expect(
            text.hasSuffix(
                "wait for it (e.g. --lock-wait 5m) or, if that run died, free it with `lurusctl lock release`"
            )
        )
        let waited = LockError.held(Self.holder("aaaa"), node: "brain", waited: .seconds(120))
        #expect(waited.description.hasPrefix("still locked after waiting 2m 0s: the cluster is locked on brain"))
        let unknown = LockError.held(nil, node: "brain", waited: nil).description
        #expect(unknown.contains("/var/lib/lurus/lock on brain") && unknown.contains("lurusctl lock release"))
    }

    @Test func aHolderWhoseProcessIsGoneIsCalledOut() async throws {
        // A process that has exited: its pid is free (reuse within the test is unlikely).
        let finished = try await Subprocess.run(
            .path("/bin/sh"),
            arguments: ["-c", "echo $$"],
            output: .string(limit: 64)
        )
        let pid = try #require(Int(finished.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)))
        var holder = LockHolder.current(command: "up", inventory: "inventory/lurus.yaml")
        #expect(!holder.isLikelyDead, "this process is running")
        holder.pid = pid
        #expect(holder.isLikelyDead)
        let text = LockError.held(holder, node: "brain", waited: nil).description
        #expect(
            text.hasSuffix(
                "the process that took it (pid \(pid) on \(holder.host)) is no longer running; `lurusctl lock release` frees it"
            )
        )
        holder.host = "elsewhere"
        #expect(!holder.isLikelyDead, "another machine's process cannot be checked")
    }

    @Test func currentHolderIsThisProcess() throws {
        let holder = LockHolder.current(command: "up", inventory: "inventory/lab.yaml")
        #expect(holder.id.count == 32 && holder.id.allSatisfy(\.isHexDigit))
        #expect(holder.pid == Int(getpid()))
        #expect(holder.startDate != nil)
        #expect(holder.id != LockHolder.current(command: "up", inventory: "x").id)
        let line = String(decoding: try holder.encodedLine(), as: UTF8.self)
        #expect(line.hasPrefix("{\"command\":\"up\",\"host\":") && line.hasSuffix("}\n"))
        #expect(line.contains("\"id\":\"\(holder.id)\""), "release matches this text on the node")
    }

    @Test func lockNodeIsTheK3sServerElseTheFirstNode() throws {
        func inventory(_ nodes: String) throws -> Inventory {
            let text = "cluster: t\nmesh: none\nnodes:\n\(nodes)"
            let (inventory, diagnostics) = InventoryLoader.check(
                text: text,
                file: "t.yaml",
                paths: PathResolver(inventoryDirectory: "/tmp", homeDirectory: "/tmp")
            )
            #expect(!diagnostics.contains { $0.severity == .error }, "\(diagnostics)")
            return try #require(inventory)
        }
        let k3s = try inventory(
            """
              a:
                address: 10.0.0.1
                components: [k3s-agent]
              b:
                address: 10.0.0.2
                components: [k3s-server]
            """
        )
        #expect(ClusterLock.lockNode(in: k3s).name == "b")
        let plain = try inventory("  x:\n    address: 10.0.0.1\n  y:\n    address: 10.0.0.2\nruntime: systemd\n")
        #expect(ClusterLock.lockNode(in: plain).name == "x")
    }
}
