import Foundation
import LurusTestSupport
import Testing

/// `lurusctl plan --facts FILE`: the production inventory planned against recorded facts of its four nodes,
/// without connecting: the reviewed plan (`Golden/plan-lurus-recorded.txt`; regenerate with
/// `LURUS_UPDATE_GOLDEN=1 swift test --filter RecordedFactsPlanTests`).
@Suite struct RecordedFactsPlanTests {
    static let facts = "Tests/LurusComponentsTests/Fixtures/lurus-facts.jsonl"

    func lurusctl(_ arguments: String...) async throws -> ProcessRunner.Result {
        try await ProcessRunner.run(
            Repository.lurusctl,
            arguments,
            environment: ["NO_COLOR": "1", "TAILSCALE_AUTH_KEY": ""],
            currentDirectory: Repository.root.path,
            timeout: 60
        )
    }

    @Test func productionPlanMatchesTheReviewedGolden() async throws {
        let state = Repository.path("inventory/.lurus/lurus")
        let existed = FileManager.default.fileExists(atPath: state)
        let result = try await self.lurusctl("plan", "-i", "inventory/lurus.yaml", "--facts", Self.facts)
        #expect(result.status == 0, "\(result)")
        let golden = Repository.path("Tests/LurusCLITests/Golden/plan-lurus-recorded.txt")
        if ProcessInfo.processInfo.environment["LURUS_UPDATE_GOLDEN"] == "1" {
            try result.stdout.write(toFile: golden, atomically: true, encoding: .utf8)
        }
        #expect(result.stdout == (try String(contentsOfFile: golden, encoding: .utf8)), "differs from \(golden)")
        // Offline: no secret was resolved (TAILSCALE_AUTH_KEY is empty) and none was generated.
        #expect(FileManager.default.fileExists(atPath: state) == existed, "plan --facts generated secrets")
        #expect(!result.stdout.contains("stand-in"), "a stand-in secret was shown")
        for line in [
            "+ package postgresql-16", "flannel-iface: \"tailscale0\"", "+ package clickhouse-server (24.8.11.5*)",
        ] {
            #expect(result.stdout.contains(line), "\(line)")
        }
        #expect(result.stdout.hasSuffix("Plan: 291 to change on 4 nodes, 0 nodes unchanged.\n"))
    }

    @Test func aNodeMissingFromTheRecordingIsNamed() async throws {
        let partial = FileManager.default.temporaryDirectory.appendingPathComponent("facts-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: partial) }
        let lines = try String(contentsOfFile: Repository.path(Self.facts), encoding: .utf8).split(separator: "\n")
        try (lines.prefix(2).joined(separator: "\n") + "\nnot json\n").write(
            toFile: partial,
            atomically: true,
            encoding: .utf8
        )
        let broken = try await self.lurusctl("plan", "-i", "inventory/lurus.yaml", "--facts", partial)
        #expect(broken.status == 1)
        #expect(
            broken.stderr
                == "error: \(partial):3: not a line of `lurusctl facts --json` (record the file again with lurusctl facts --json > \(partial))\n"
        )
        try lines.prefix(2).joined(separator: "\n").write(toFile: partial, atomically: true, encoding: .utf8)
        let missing = try await self.lurusctl("plan", "-i", "inventory/lurus.yaml", "--facts", partial)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("has no facts for node monitor"), "\(missing)")
        #expect(missing.stdout.isEmpty)
    }
}
