import Foundation
import LurusTestSupport
import Testing

@testable import LurusHealth

/// The dead-man's pings through the real curl to a receiver this test runs: start then fail with the
/// report as the body, paired by one run id; a switch that cannot be reached is named without its URL.
@Suite struct DeadMansPingTests {
    @Test func startThenFailWithTheReportPairedByTheRunID() async throws {
        let port = try LocalPorts.free()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lurus-ping-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let received = folder.appendingPathComponent("received.jsonl").path
        let hook = Process()
        hook.executableURL = URL(fileURLWithPath: Repository.path("scripts/test/alert-webhook"))
        hook.arguments = ["127.0.0.1", String(port), received]
        hook.standardOutput = FileHandle.nullDevice
        hook.standardError = FileHandle.nullDevice
        try hook.run()
        defer { kill(hook.processIdentifier, SIGKILL) }
        // Ready once it takes connections.
        for _ in 0..<50 {
            if try await ProcessRunner.run("/usr/bin/curl", ["-s", "-o", "/dev/null", "http://127.0.0.1:\(port)/"])
                .status == 0
            {
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }

        let ping = DeadMansPing(url: "http://127.0.0.1:\(port)/ping/5b5d6e1c-token/")
        #expect(await ping.start() == nil)
        #expect(await ping.finish(.critical, report: "LURUS CRITICAL - 1 critical\nCRITICAL brain node: down\n") == nil)
        let lines = try String(contentsOfFile: received, encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
        let paths = lines.compactMap { $0["path"] as? String }
        #expect(
            paths == ["/ping/5b5d6e1c-token/start?rid=\(ping.runID)", "/ping/5b5d6e1c-token/fail?rid=\(ping.runID)"]
        )
        #expect(
            (lines.last?["body"] as? [String: Any])?["text"] as? String
                == "LURUS CRITICAL - 1 critical\nCRITICAL brain node: down\n"
        )

        let ok = DeadMansPing(url: "http://127.0.0.1:\(port)/ping/5b5d6e1c-token")
        #expect(await ok.finish(.ok, report: "LURUS OK") == nil)
        let last = try String(contentsOfFile: received, encoding: .utf8).split(separator: "\n").last ?? ""
        #expect(last.contains("\"path\": \"/ping/5b5d6e1c-token?rid=\(ok.runID)\""), "\(last)")
    }

    @Test func aSwitchThatCannotBeReachedIsNamedWithoutItsURL() async throws {
        let port = try LocalPorts.free()
        let ping = DeadMansPing(url: "http://127.0.0.1:\(port)/ping/secret-token-123")
        let problem = try #require(await ping.start())
        #expect(problem.hasPrefix("the ping was not delivered"), "\(problem)")
        #expect(!problem.contains("secret-token-123") && !problem.contains("127.0.0.1"), "\(problem)")
    }
}
