import Foundation
import LurusTestSupport
import Testing

/// `lurusctl health` before it reaches any node: a second run while one holds the cluster's health lock
/// exits 3 (UNKNOWN) at once, saying so; a broken inventory is 65 as for every verb.
@Suite struct HealthCommandTests {
    @Test func aSecondRunExitsUnknownAtOnce() async throws {
        // A copy of the lab inventory in a folder of its own: its own state folder, its own lock.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lurus-health-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let inventory = folder.appendingPathComponent("lab.yaml").path
        try FileManager.default.copyItem(atPath: Repository.path("inventory/lab.yaml"), toPath: inventory)
        let state = folder.appendingPathComponent(".lurus/lurus-lab")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        let lock = state.appendingPathComponent("health.lock").path
        // Held by flock(1), as a running health holds it.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = [lock, "sleep", "30"]
        try holder.run()
        defer { kill(holder.processIdentifier, SIGKILL) }
        for _ in 0..<50 where !FileManager.default.fileExists(atPath: lock) {
            try await Task.sleep(for: .milliseconds(20))
        }
        try await Task.sleep(for: .milliseconds(200))

        let start = ContinuousClock.now
        let second = try await ProcessRunner.run(Repository.lurusctl, ["health", "-i", inventory], timeout: 30)
        #expect(second.status == 3, "\(second)")
        #expect(second.stdout.contains("another lurusctl health of lurus-lab is still running"), "\(second)")
        #expect(ContinuousClock.now - start < .seconds(10), "it waited for the lock")
    }

    @Test func aBrokenInventoryIs65() async throws {
        let result = try await ProcessRunner.run(
            Repository.lurusctl,
            ["health", "-i", "Tests/LurusInventoryTests/Fixtures/invalid/port-conflicts.yaml"],
            currentDirectory: Repository.root.path,
            timeout: 30
        )
        #expect(result.status == 65, "\(result)")
        #expect(result.stderr.contains("port 9000 on lab is claimed by both"), "\(result)")
    }
}
