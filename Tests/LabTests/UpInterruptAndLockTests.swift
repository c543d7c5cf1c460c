import Foundation
import Logging
import LurusEngine
import LurusInventory
import LurusRemote
import LurusTestSupport
import Testing

extension LabIntegrationTests {
    /// `up` interrupted with Ctrl-C, and two runs meeting at the cluster lock.
    @Suite struct UpInterruptAndLockTests {
        typealias Commands = ProvisioningCommandTests

        /// Undoes part of base on every node so `up` has seconds of work (package installs).
        static func unconverge() async throws {
            try await LabIntegrationTests.ensureLabUp()
            let undo = try await ProcessRunner.run(
                Repository.lurusctl,
                [
                    "exec", "-i", "inventory/lab.yaml", "--",
                    "apt-get purge -y -q chrony curl >/dev/null 2>&1; rm -rf /etc/lurus /opt/lurus",
                ],
                currentDirectory: Repository.root.path,
                timeout: 300
            )
            try #require(undo.status == 0, "\(undo)")
        }

        /// Ctrl-C during `up`: the steps under way finish, no new one starts, the lock is released, exit
        /// 130; a rerun completes and a third run has nothing to do.
        @Test func ctrlCStopsCleanlyAndARerunCompletes() async throws {
            try await Self.unconverge()
            // Interrupt once the first steps have run, while packages are being installed.
            let script = """
                \(Repository.lurusctl) up -i inventory/lab.yaml &
                pid=$!; sleep 1.5; kill -INT $pid; wait $pid
                """
            let result = try await LabIntegrationTests.shell(script, timeout: 300)
            let output = result.stdout + result.stderr
            #expect(result.status == 130, "\(output)")
            #expect(output.contains("interrupted: finishing the steps under way"), "\(output)")
            #expect(output.contains("stopped after"), "\(output)")
            #expect(output.contains("interrupted: run `lurusctl up` again to finish."), "\(output)")
            let lock = try await Commands.lurusctl(["lock", "status", "-i", "inventory/lab.yaml"])
            #expect(lock.stdout.contains("not locked"), "\(lock)")

            let rerun = try await Commands.lurusctl(["up", "-i", "inventory/lab.yaml"])
            #expect(rerun.status == 0, "\(rerun)")
            let third = try await Commands.lurusctl(["plan", "-i", "inventory/lab.yaml"])
            #expect(third.stdout.contains("Plan: 0 to change on 0 nodes, 4 nodes unchanged.\n"), "\(third)")
            #expect(
                third.stdout.hasSuffix("nothing to deploy: every node serves this release with this configuration\n"),
                "\(third)"
            )
            // Each run left an audit record locally, the interrupted one marked so.
            let audit = try await Commands.lurusctl(["audit", "-i", "inventory/lab.yaml", "-n", "3", "--json"])
            #expect(audit.stdout.contains("\"result\":\"interrupted\""), "\(audit)")
        }

        /// A second `up` while the lock is held fails fast naming the holder; with `--lock-wait` it waits,
        /// and it runs once the lock is free.
        @Test func lockBlocksAConcurrentUp() async throws {
            let inventory = try await LabIntegrationTests.labInventory()
            let logger = Logger(label: "test")
            let holder = try await OpenSSHSession.with(inventory, logger: logger) { session in
                try await ClusterLock.acquire(command: "deploy", inventory: inventory, transport: session)
            }
            let start = ContinuousClock.now
            let blocked = try await Commands.lurusctl(["up", "-i", "inventory/lab.yaml"])
            let fast = ContinuousClock.now - start
            #expect(blocked.status == 1, "\(blocked)")
            #expect(blocked.stderr.contains(holder.user) && blocked.stderr.contains("deploy"), "\(blocked)")
            #expect(fast < .seconds(10))
            // Refused at the lock: no line of planning shows, as if the run went on, and it says so.
            #expect(!(blocked.stdout + blocked.stderr).contains("planned:"), "\(blocked)")
            #expect(blocked.stdout.isEmpty, "\(blocked)")
            #expect(blocked.stderr.contains("nothing was planned or applied on any node"), "\(blocked)")
            let waited = try await Commands.lurusctl(["up", "-i", "inventory/lab.yaml", "--lock-wait", "2s"])
            #expect(waited.status == 1, "\(waited)")
            let status = try await Commands.lurusctl(["lock", "status", "-i", "inventory/lab.yaml"])
            #expect(status.stdout.contains("deploy"), "\(status)")
            try await OpenSSHSession.with(inventory, logger: logger) { session in
                _ = try await ClusterLock.release(holder, inventory: inventory, transport: session)
            }
            let free = try await Commands.lurusctl(["up", "-i", "inventory/lab.yaml"])
            #expect(free.status == 0, "\(free)")
        }
    }
}
