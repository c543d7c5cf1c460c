import Foundation
import LurusEngine
import Testing

/// Audit records as JSON lines and the local log.
@Suite struct AuditLogTests {
    static let record = AuditRecord(
        time: "2025-06-01T09:30:00Z",
        user: "alice",
        host: "laptop",
        command: ["lurusctl", "up", "-i", "inventory/lurus.yaml"],
        inventory: "inventory/lurus.yaml",
        inventorySHA256: "ab12",
        result: .ok,
        nodes: [
            AuditNode(name: "brain", changed: 3, failed: 0, changes: ["file /etc/hosts", "package nats-server"]),
            AuditNode(name: "heart", changed: 0, failed: 1, changes: []),
        ],
        durationMilliseconds: 1234
    )

    @Test func recordIsOneSortedSnakeCaseLine() throws {
        let line = String(decoding: try Self.record.jsonLine(), as: UTF8.self)
        #expect(
            line == """
                {"command":["lurusctl","up","-i","inventory/lurus.yaml"],"duration_ms":1234,"host":"laptop",\
                "inventory":"inventory/lurus.yaml","inventory_sha256":"ab12","nodes":[{"changed":3,"changes":\
                ["file /etc/hosts","package nats-server"],"failed":0,"name":"brain"},{"changed":0,"changes":[],\
                "failed":1,"name":"heart"}],"result":"ok","time":"2025-06-01T09:30:00Z","user":"alice"}

                """
        )
        let decoded = try JSONDecoder().decode(AuditRecord.self, from: Data(line.utf8))
        #expect(decoded == Self.record)
        #expect(Self.record.changeSummary == "brain 3, heart 0 (1 failed)")
    }

    @Test func madeRecordHashesTheInventoryAndStartsDurationBeforeTheEnd() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString).yaml").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "abc".write(toFile: path, atomically: true, encoding: .utf8)
        let end = try Date("2025-06-01T09:30:10Z", strategy: .iso8601)
        let record = AuditRecord.make(
            command: ["lurusctl", "up"],
            inventoryPath: path,
            result: .interrupted,
            nodes: [],
            duration: 10.5,
            end: end
        )
        #expect(record.inventorySHA256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(record.time == "2025-06-01T09:29:59Z")
        #expect(record.durationMilliseconds == 10_500)
        #expect(!record.user.isEmpty && !record.host.isEmpty)
        #expect(
            AuditRecord.make(command: [], inventoryPath: "/nonexistent", result: .ok, nodes: [], duration: 0)
                .inventorySHA256 == ""
        )
    }

    @Test func localLogAppendsPrivatelyAndReadsTheLastRecords() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let state = StateDirectory(path: "\(directory)/.lurus/test")
        #expect(try AuditLog.readLocal(state: state, last: 5).records.isEmpty)
        for index in 0..<5 {
            var record = Self.record
            record.durationMilliseconds = index
            try AuditLog.appendLocal(record, state: state)
        }
        let path = AuditLog.localPath(state: state)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o600)
        #expect(try FileManager.default.attributesOfItem(atPath: state.path)[.posixPermissions] as? Int == 0o700)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data("not json\n".utf8))
        try handle.close()
        try AuditLog.appendLocal(Self.record, state: state)
        let last = try AuditLog.readLocal(state: state, last: 3)
        #expect(last.records.map(\.durationMilliseconds) == [4, 1234])
        #expect(last.skippedLines == 1)
        #expect(try AuditLog.readLocal(state: state, last: 100).records.count == 6)
    }
}
