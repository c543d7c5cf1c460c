import Foundation
import Logging
import LurusEngine
import LurusInventory
import LurusRemote
import LurusTestSupport
import Testing

extension LabIntegrationTests {
    /// `lurusctl lock` and `lurusctl audit` as an operator runs them, against the lab.
    @Suite struct LockAndAuditCommandTests {
        let logger = Logger(label: "test")

        func lurusctl(_ arguments: String...) async throws -> ProcessRunner.Result {
            try await ProcessRunner.run(
                Repository.lurusctl,
                arguments + ["-i", "inventory/lab.yaml"],
                currentDirectory: Repository.root.path,
                timeout: 120
            )
        }

        @Test func statusShowsTheHolderAndReleaseFreesIt() async throws {
            let inventory = try await LabIntegrationTests.labInventory()
            let holder = try await OpenSSHSession.with(inventory, logger: self.logger) { session in
                try await ClusterLock.acquire(command: "deploy", inventory: inventory, transport: session)
            }
            do {
                let status = try await self.lurusctl("lock", "status")
                #expect(status.status == 0, "\(status)")
                #expect(
                    status.stdout.hasPrefix(
                        "locked on brain (10.77.0.11) by \(holder.user)@\(holder.host) (pid \(holder.pid)) running "
                            + "lurusctl deploy since \(holder.started) ("
                    ),
                    "\(status)"
                )
                #expect(status.stdout.contains("inventory: \(inventory.path)\n"))
                let json = try await self.lurusctl("lock", "status", "--json")
                let object = try #require(
                    try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
                )
                #expect(object["locked"] as? Bool == true && object["node"] as? String == "brain")
                #expect(object["holder_gone"] as? Bool == false, "this test process still runs")
                #expect((object["holder"] as? [String: Any])?["id"] as? String == holder.id)
                let released = try await self.lurusctl("lock", "release")
                #expect(released.status == 0, "\(released)")
                #expect(released.stdout.hasPrefix("released the lock on brain, held by \(holder.user)@\(holder.host)"))
            } catch {
                _ = try? await OpenSSHSession.with(inventory, logger: self.logger) { session in
                    try await ClusterLock.release(holder, inventory: inventory, transport: session)
                }
                throw error
            }
            let after = try await self.lurusctl("lock", "status")
            #expect(after.stdout == "not locked (the lock node is brain, 10.77.0.11)\n", "\(after)")
            let nothing = try await self.lurusctl("lock", "release")
            #expect(nothing.status == 0 && nothing.stdout == "not locked on brain: nothing to release\n", "\(nothing)")
            let json = try await self.lurusctl("lock", "status", "--json")
            #expect(json.stdout.contains("\"locked\" : false"), "\(json)")
        }

        @Test func auditOnANodeShowsItsLastRecords() async throws {
            let inventory = try await LabIntegrationTests.labInventory()
            let heart = try #require(inventory.node(named: "heart"))
            let marker = "marker-\(UInt32.random(in: 1000...9999))"
            let record = AuditRecord.make(
                command: ["/usr/local/bin/lurusctl", "up", "--note", marker],
                inventoryPath: inventory.path,
                result: .failed,
                nodes: [
                    AuditNode(name: "brain", changed: 3, failed: 0, changes: []),
                    AuditNode(name: "heart", changed: 0, failed: 1, changes: []),
                ],
                duration: 1
            )
            try await OpenSSHSession.with(inventory, logger: self.logger) { session in
                try await AuditLog.append(record, on: heart, transport: session)
            }
            let table = try await self.lurusctl("audit", "--on", "heart", "-n", "1")
            #expect(table.status == 0, "\(table)")
            let lines = table.stdout.split(separator: "\n")
            #expect(lines.count == 2, "\(table)")
            #expect(lines.first?.hasPrefix("TIME ") == true && lines.first?.contains("USER@HOST") == true)
            #expect(lines.last?.hasPrefix("\(record.time)  \(record.user)@\(record.host)") == true, "\(table)")
            #expect(lines.last?.hasSuffix("lurusctl up --note \(marker)  failed  brain 3, heart 0 (1 failed)") == true)
            let json = try await self.lurusctl("audit", "--on", "heart", "-n", "1", "--json")
            #expect(json.stdout == String(decoding: try record.jsonLine(), as: UTF8.self), "\(json)")
            let unknown = try await self.lurusctl("audit", "--on", "nowhere")
            #expect(unknown.status == 64 && unknown.stderr.contains("no node named 'nowhere'"), "\(unknown)")
        }
    }
}
