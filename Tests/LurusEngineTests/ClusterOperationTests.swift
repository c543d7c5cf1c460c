import Foundation
import LurusInventory
import LurusRemote
import Synchronization
import Testing

@testable import LurusEngine

/// The one wrapper of every mutating verb, over a transport in memory that answers the lock and audit
/// scripts: a refused lock shows no planning and runs no work; the record goes to the nodes touched and
/// locally with the verb; the lock is released after the record, also when the work throws.
@Suite struct ClusterOperationTests {
    /// A two-node inventory in a temporary folder, so the local audit log lands there.
    static func inventory() throws -> (Inventory, folder: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lurus-op-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("inventory.yaml").path
        let yaml = """
            cluster: test
            runtime: systemd
            mesh: none
            nodes:
              one:
                address: 10.0.0.1
              two:
                address: 10.0.0.2
            """
        do {
            try yaml.write(toFile: path, atomically: true, encoding: .utf8)
            return (try InventoryLoader.load(path: path).inventory, folder.path)
        } catch {
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
    }

    static func isLock(_ command: String, _ script: String) -> Bool {
        command.contains("lurus-lock") && command.contains(Shell.quote(script))
    }

    static func operation(
        _ inventory: Inventory,
        _ transport: InMemoryTransport,
        warnings: Warnings = Warnings()
    )
        -> ClusterOperation
    {
        ClusterOperation(
            verb: "deploy",
            command: ["lurusctl", "deploy"],
            inventory: inventory,
            transport: transport,
            lockWait: nil,
            warn: warnings.add
        )
    }

    @Test func aRefusedLockShowsNoPlanningAndRunsNoWork() async throws {
        let (inventory, folder) = try Self.inventory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let holder = try String(decoding: LockTests.holder("other").encodedLine(), as: UTF8.self)
        let transport = InMemoryTransport { _, command in
            Self.isLock(command, LockScripts.acquire) ? .exit(3, stdout: holder) : .exit(0)
        }
        let shown = EventLog()
        let worked = Mutex(false)
        await #expect(throws: LockError.self) {
            try await Self.operation(inventory, transport).run(
                events: shown.sink,
                prepare: { events in events(.nodePlanned(node: "one", changes: 3, resources: 9, duration: .zero)) },
                work: { _, _ in
                    worked.withLock { $0 = true }
                    return ClusterOperation.Outcome((), record: nil)
                }
            )
        }
        #expect(shown.count == 0)
        #expect(!worked.withLock { $0 })
        #expect(!FileManager.default.fileExists(atPath: "\(folder)/.lurus/test/audit.jsonl"))
    }

    @Test func theRecordGoesToTouchedNodesAndLocallyBeforeTheLockIsReleased() async throws {
        let (inventory, folder) = try Self.inventory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let transport = InMemoryTransport()
        let shown = EventLog()
        let value = try await Self.operation(inventory, transport).run(
            events: shown.sink,
            prepare: { events in events(.nodePlanned(node: "one", changes: 1, resources: 1, duration: .zero)) },
            work: { _, holder in
                let record = OperationRecord(
                    result: .ok,
                    nodes: [AuditNode(name: "one", changed: 1, failed: 0, changes: ["create file /etc/x"])],
                    touched: ["one"]
                )
                return ClusterOperation.Outcome(holder.command, record: record)
            }
        )
        #expect(value == "deploy")
        #expect(shown.count == 1)
        let calls = transport.recorded
        let kinds = calls.map { call in
            Self.isLock(call.command, LockScripts.acquire)
                ? "lock \(call.node)"
                : Self.isLock(call.command, LockScripts.release)
                    ? "release \(call.node)" : call.command.contains("lurus-audit") ? "audit \(call.node)" : "other"
        }
        #expect(kinds == ["lock one", "audit one", "release one"])
        let appended = try JSONDecoder().decode(
            AuditRecord.self,
            from: Data(calls.first { $0.command.contains("lurus-audit") }!.input)
        )
        #expect(appended.verb == "deploy")
        #expect(appended.command == ["lurusctl", "deploy"])
        #expect(appended.nodes.map(\.name) == ["one"])
        let local = try String(contentsOfFile: "\(folder)/.lurus/test/audit.jsonl", encoding: .utf8)
        #expect(local.contains("\"verb\":\"deploy\""))
    }

    @Test func theLockIsReleasedAndTheFailureRecordedWhenTheWorkThrows() async throws {
        struct Broken: Error {}
        let (inventory, folder) = try Self.inventory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let transport = InMemoryTransport()
        await #expect(throws: Broken.self) {
            try await Self.operation(inventory, transport).run(
                events: { _ in },
                prepare: { _ in () },
                work: { (_, _) -> ClusterOperation.Outcome<Void> in throw Broken() }
            )
        }
        #expect(transport.recorded.contains { Self.isLock($0.command, LockScripts.release) })
        let local = try String(contentsOfFile: "\(folder)/.lurus/test/audit.jsonl", encoding: .utf8)
        #expect(local.contains("\"result\":\"failed\""))
    }

    @Test func aFailedAuditAppendIsAWarningNotASilentLoss() async throws {
        let (inventory, folder) = try Self.inventory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let transport = InMemoryTransport { _, command in
            command.contains("lurus-audit") ? .exit(1, stderr: "No space left on device") : .exit(0)
        }
        let warnings = Warnings()
        try await Self.operation(inventory, transport, warnings: warnings).run(
            events: { _ in },
            prepare: { _ in () },
            work: { _, _ in
                ClusterOperation.Outcome((), record: OperationRecord(result: .ok, nodes: [], touched: ["two"]))
            }
        )
        #expect(warnings.all.count == 1)
        #expect(warnings.all.first?.contains("No space left on device") == true)
    }
}

/// Collects the operation's warnings.
final class Warnings: Sendable {
    private let lines = Mutex<[String]>([])
    var add: @Sendable (String) -> Void { { [self] line in self.lines.withLock { $0.append(line) } } }
    var all: [String] { self.lines.withLock { $0 } }
}
