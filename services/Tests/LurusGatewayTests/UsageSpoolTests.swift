import Foundation
import Testing

@testable import LurusGateway

@Suite struct UsageSpoolTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spool-\(UUID().uuidString)").path

    func messages(_ ids: ClosedRange<Int>) -> [SpooledMessage] {
        ids.map { SpooledMessage(subject: "llm.usage", id: "req_\($0)", payload: #"{"n":\#($0)}"#) }
    }

    @Test func keepsOrderAcrossReopenAndAcknowledgements() throws {
        var spool = try UsageSpool(directory: self.directory)
        #expect(spool.isEmpty)
        try spool.append(self.messages(1...3))
        try spool.append(self.messages(4...5))
        let first = try spool.pending(limit: 2)
        #expect(first.map(\.message.id) == ["req_1", "req_2"])
        try spool.acknowledge(upTo: first[1].end)

        // A restart finds the rest, in order.
        var reopened = try UsageSpool(directory: self.directory)
        #expect(try reopened.pending(limit: 10).map(\.message.id) == ["req_3", "req_4", "req_5"])
        let rest = try reopened.pending(limit: 10)
        try reopened.acknowledge(upTo: rest.last!.end)
        #expect(reopened.isEmpty)
        #expect(try Data(contentsOf: URL(fileURLWithPath: reopened.path)).isEmpty)
    }

    @Test func aTornLastLineIsCutOff() throws {
        var spool = try UsageSpool(directory: self.directory)
        try spool.append(self.messages(1...2))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: spool.path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"subject":"llm.usage","id":"req_9","pay"#.utf8))
        try handle.close()

        var reopened = try UsageSpool(directory: self.directory)
        try reopened.append(self.messages(3...3))
        #expect(try reopened.pending(limit: 10).map(\.message.id) == ["req_1", "req_2", "req_3"])
    }

    @Test func aSpoolLargerThanTheReadWindowReplaysWholeAndInOrder() throws {
        var spool = try UsageSpool(directory: self.directory)
        let padding = String(repeating: "x", count: 600)
        let count = 4000
        try spool.append(
            (1...count).map { SpooledMessage(subject: "llm.usage", id: "req_\($0)", payload: padding) }
        )
        #expect(spool.size > 2 << 20)
        var replayed: [String] = []
        while case let batch = try spool.pending(limit: 256), !batch.isEmpty {
            replayed += batch.map(\.message.id)
            try spool.acknowledge(upTo: batch[batch.count - 1].end)
        }
        #expect(replayed == (1...count).map { "req_\($0)" })
        #expect(spool.isEmpty)
    }

    @Test func aLineLongerThanTheReadWindowIsRead() throws {
        var spool = try UsageSpool(directory: self.directory)
        let long = SpooledMessage(subject: "llm.usage", id: "req_1", payload: String(repeating: "y", count: 3 << 20))
        try spool.append([long] + self.messages(2...2))
        let first = try spool.pending(limit: 1)
        #expect(first.map(\.message) == [long])
        try spool.acknowledge(upTo: first[0].end)
        #expect(try spool.pending(limit: 10).map(\.message.id) == ["req_2"])
    }

    @Test func anOffsetPastTheEndStartsOver() throws {
        var spool = try UsageSpool(directory: self.directory)
        try spool.append(self.messages(1...1))
        try Data("99999".utf8).write(to: URL(fileURLWithPath: self.directory + "/usage.spool.offset"))
        let reopened = try UsageSpool(directory: self.directory)
        #expect(try reopened.pending(limit: 10).map(\.message.id) == ["req_1"])
    }
}
