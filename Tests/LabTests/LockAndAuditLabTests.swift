import Foundation
import Logging
import LurusEngine
import LurusInventory
import LurusRemote
import LurusTestSupport
import Testing

extension LabIntegrationTests {
    /// The cluster lock on brain (the lab's lock node: no k3s-server, so the first node) and the audit log
    /// on heart, against the real hosts.
    @Suite struct LockAndAuditLabTests {
        let logger = Logger(label: "test")

        /// Runs `body` over a session, then releases every lock `body` took (only those: another test run
        /// may use the lock node too), also when `body` fails.
        func withLab(
            _ body: (Inventory, OpenSSHSession, LockKeeper) async throws -> Void
        ) async throws {
            let inventory = try await LabIntegrationTests.labInventory()
            try await OpenSSHSession.with(inventory, logger: self.logger) { session in
                let keeper = LockKeeper()
                do {
                    try await body(inventory, session, keeper)
                } catch {
                    await keeper.releaseAll(inventory: inventory, session: session)
                    throw error
                }
                await keeper.releaseAll(inventory: inventory, session: session)
            }
        }

        /// The holders a test took, to release at its end.
        actor LockKeeper {
            var holders: [LockHolder] = []

            func keep(_ holder: LockHolder) -> LockHolder {
                self.holders.append(holder)
                return holder
            }

            func releaseAll(inventory: Inventory, session: OpenSSHSession) async {
                for holder in self.holders {
                    try? await ClusterLock.release(holder, inventory: inventory, transport: session)
                }
                self.holders.removeAll()
            }
        }

        func take(
            _ command: String,
            _ inventory: Inventory,
            _ session: OpenSSHSession,
            _ keeper: LockKeeper,
            wait: Duration? = nil
        ) async throws -> LockHolder {
            await keeper.keep(
                try await ClusterLock.acquire(command: command, inventory: inventory, transport: session, wait: wait)
            )
        }

        @Test func takenLockShowsItsHolderAndRefusesASecondTaker() async throws {
            try await self.withLab { inventory, session, keeper in
                #expect(ClusterLock.lockNode(in: inventory).name == "brain")
                let holder = try await self.take("up", inventory, session, keeper)
                #expect(try await ClusterLock.status(inventory: inventory, transport: session) == holder)
                let error = await #expect(throws: LockError.self) {
                    _ = try await self.take("deploy", inventory, session, keeper)
                }
                guard case .held(let current, let node, let waited) = error else {
                    Issue.record("expected held, got \(String(describing: error))")
                    return
                }
                #expect(current == holder && node == "brain" && waited == nil)
                let text = error?.description ?? ""
                #expect(text.contains("\(holder.user)@\(holder.host) (pid \(holder.pid)) running lurusctl up since "))
                #expect(text.contains("lurusctl lock release"))
                let brain = try #require(inventory.node(named: "brain"))
                let modes = try await session.run(
                    RemoteCommand(
                        ShellCommand(["stat", "-c", "%a %U", "/var/lib/lurus", "/var/lib/lurus/lock/holder.json"])
                    ),
                    on: brain
                )
                #expect(String(decoding: modes.stdout, as: UTF8.self) == "700 root\n600 root\n")
            }
        }

        @Test func waitingForAHeldLockGivesUpAtItsDeadline() async throws {
            try await self.withLab { inventory, session, keeper in
                _ = try await self.take("up", inventory, session, keeper)
                let start = ContinuousClock.now
                let error = await #expect(throws: LockError.self) {
                    _ = try await self.take("up", inventory, session, keeper, wait: .seconds(2))
                }
                let elapsed = ContinuousClock.now - start
                #expect(elapsed >= .seconds(2) && elapsed < .seconds(4), "\(elapsed)")
                #expect(
                    error?.description.hasPrefix("still locked after waiting 2s: the cluster is locked on brain")
                        == true
                )
            }
        }

        @Test func onlyTheHolderReleasesWithoutForce() async throws {
            try await self.withLab { inventory, session, keeper in
                let holder = try await self.take("up", inventory, session, keeper)
                let stranger = LockHolder.current(command: "up", inventory: inventory.path)
                let error = await #expect(throws: LockError.self) {
                    try await ClusterLock.release(stranger, inventory: inventory, transport: session)
                }
                #expect(error?.description.hasPrefix("left the cluster lock on brain alone") == true)
                #expect(try await ClusterLock.status(inventory: inventory, transport: session) == holder)
                try await ClusterLock.release(holder, inventory: inventory, transport: session)
                #expect(try await ClusterLock.status(inventory: inventory, transport: session) == nil)
                try await ClusterLock.release(holder, inventory: inventory, transport: session)  // nothing: no error
            }
        }

        @Test func forcedReleaseReturnsWhatItRemoved() async throws {
            try await self.withLab { inventory, session, keeper in
                let holder = try await self.take("up", inventory, session, keeper)
                #expect(try await ClusterLock.forceRelease(inventory: inventory, transport: session) == holder)
                #expect(try await ClusterLock.status(inventory: inventory, transport: session) == nil)
                #expect(try await ClusterLock.forceRelease(inventory: inventory, transport: session) == nil)
            }
        }

        @Test func aWaitingTakerGetsTheLockOnceItIsReleased() async throws {
            try await self.withLab { inventory, session, keeper in
                let first = try await self.take("up", inventory, session, keeper)
                let start = ContinuousClock.now
                let second = try await withThrowingTaskGroup(of: LockHolder?.self) { group in
                    group.addTask { try await self.take("deploy", inventory, session, keeper, wait: .seconds(10)) }
                    group.addTask {
                        try await Task.sleep(for: .milliseconds(1500))
                        try await ClusterLock.release(first, inventory: inventory, transport: session)
                        return nil
                    }
                    var taken: LockHolder?
                    for try await result in group { taken = taken ?? result }
                    return taken
                }
                let elapsed = ContinuousClock.now - start
                #expect(second?.command == "deploy")
                #expect(elapsed >= .milliseconds(1500) && elapsed < .seconds(5), "\(elapsed)")
                #expect(try await ClusterLock.status(inventory: inventory, transport: session) == second)
            }
        }

        @Test func auditRecordsAreAppendedPrivatelyOnTheNode() async throws {
            try await self.withLab { inventory, session, _ in
                let heart = try #require(inventory.node(named: "heart"))
                let marker = UUID().uuidString
                let records = (1...2).map { index in
                    AuditRecord.make(
                        command: ["lurusctl", "up", "--test", marker],
                        inventoryPath: inventory.path,
                        result: index == 1 ? .ok : .failed,
                        nodes: [
                            AuditNode(
                                name: "heart",
                                changed: index,
                                failed: index - 1,
                                changes: ["file /etc/x\(index)"]
                            )
                        ],
                        duration: Double(index)
                    )
                }
                for record in records { try await AuditLog.append(record, on: heart, transport: session) }
                let read = try await AuditLog.read(on: heart, transport: session, last: 2)
                #expect(read.records == records)
                #expect(read.skippedLines == 0)
                #expect(try await AuditLog.read(on: heart, transport: session, last: 1).records == [records[1]])
                #expect(records[0].inventorySHA256.count == 64)
                let modes = try await session.run(
                    RemoteCommand(ShellCommand(["stat", "-c", "%a", "/var/log/lurus", "/var/log/lurus/audit.jsonl"])),
                    on: heart
                )
                #expect(String(decoding: modes.stdout, as: UTF8.self) == "700\n600\n")
            }
        }
    }
}
