import Foundation
import Logging
import Testing

@testable import LurusServiceKit

/// The JSON log handler: one object per line, metadata merged, records below the level dropped.
@Suite("JSON log handler")
struct JSONLogHandlerTests {
    /// A logger writing to a fresh file, and a way to read that file's lines as JSON objects.
    struct Capture {
        let path: String
        let logger: Logger

        init(level: Logger.Level) throws {
            self.path = FileManager.default.temporaryDirectory.appendingPathComponent("log-\(UUID().uuidString)").path
            _ = FileManager.default.createFile(atPath: self.path, contents: nil)
            let output = LogOutput(handle: try FileHandle(forWritingTo: URL(fileURLWithPath: self.path)))
            self.logger = Logger(label: "lurus-test") { JSONLogHandler(label: $0, level: level, output: output) }
        }

        /// The lines written so far; each must be one JSON object.
        func records() throws -> [[String: Any]] {
            let text = try String(contentsOfFile: self.path, encoding: .utf8)
            #expect(text.isEmpty || text.hasSuffix("\n"))
            return try text.split(separator: "\n").map { line in
                try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            }
        }
    }

    @Test("each record is one line: time, level, logger, message and the metadata")
    func oneObjectPerLine() throws {
        let capture = try Capture(level: .info)
        var logger = capture.logger
        logger[metadataKey: "service"] = "billing"
        logger.info("first\nwith a line break", metadata: ["request_id": "req_1", "attempts": "\(2)"])
        logger.warning("second", metadata: ["nested": ["a": "1", "list": ["x", "y"]]])
        let records = try capture.records()
        #expect(records.count == 2)
        let first = try #require(records.first)
        #expect(first["level"] as? String == "info")
        #expect(first["logger"] as? String == "lurus-test")
        #expect(first["message"] as? String == "first\nwith a line break")
        #expect(first["request_id"] as? String == "req_1")
        #expect(first["attempts"] as? String == "2")
        #expect(first["service"] as? String == "billing")
        let time = try #require(first["time"] as? String)
        #expect(try Date(time, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) <= Date.now)
        let nested = try #require(records[1]["nested"] as? [String: Any])
        #expect(nested["a"] as? String == "1" && nested["list"] as? [String] == ["x", "y"])
        #expect(records[1]["level"] as? String == "warning")
    }

    @Test("records below the handler's level are dropped")
    func levelFilter() throws {
        let capture = try Capture(level: .warning)
        capture.logger.debug("no")
        capture.logger.info("no")
        capture.logger.warning("yes")
        capture.logger.error("yes")
        #expect(try capture.records().map { $0["level"] as? String } == ["warning", "error"])
    }

    @Test("a record's metadata overrides the logger's; the fixed fields cannot be overridden")
    func metadataPrecedence() throws {
        let capture = try Capture(level: .info)
        var logger = capture.logger
        logger[metadataKey: "node"] = "a"
        logger.info("hello", metadata: ["node": "b", "message": "spoofed", "level": "critical"])
        let record = try #require(try capture.records().first)
        #expect(record["node"] as? String == "b")
        #expect(record["message"] as? String == "hello")
        #expect(record["level"] as? String == "info")
    }

    @Test("lines logged from many tasks at once never interleave")
    func concurrentLines() async throws {
        let capture = try Capture(level: .info)
        let logger = capture.logger
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for index in 0..<50 {
                        logger.info("line", metadata: ["task": "\(task)", "index": "\(index)"])
                    }
                }
            }
        }
        #expect(try capture.records().count == 400)
    }
}
