import Foundation
import LurusInventory
import LurusTestSupport
import Testing

/// Every test that uses the local lab, run one at a time: they share four hosts, a bridge and fixed
/// addresses. Each test brings the lab up itself (`scripts/lab up` does nothing when it is up).
@Suite(.serialized) struct LabIntegrationTests {
    /// Brings the lab up (a no-op when it is up); fails, never skips, without root.
    static func ensureLabUp() async throws {
        try #require(geteuid() == 0, "the lab needs root (namespaces, mounts, bridge, nftables): run the tests as root")
        let up = try await ProcessRunner.run(Repository.path("scripts/lab"), ["up"], timeout: 900)
        try #require(up.status == 0, "scripts/lab up failed: \(up)")
    }

    /// The lab up, and `inventory/lab.yaml` loaded.
    static func labInventory() async throws -> Inventory {
        try await self.ensureLabUp()
        return try InventoryLoader.load(path: Repository.path("inventory/lab.yaml")).inventory
    }

    /// The run directories lurusctl has in /tmp now (`lurusctl-*`, the kept-connections one aside).
    static func controlDirectories() throws -> Set<String> {
        Set(
            try FileManager.default.contentsOfDirectory(atPath: "/tmp")
                .filter { $0.hasPrefix("lurusctl-") && !$0.hasPrefix("lurusctl-keep-") }
                .map { "/tmp/\($0)" }
        )
    }

    /// ssh processes of lurusctl runs (their config is in a run directory) other than those in `before`.
    static func sshProcesses(notUsing before: Set<String>) async throws -> [String] {
        let listing = try await ProcessRunner.run("/bin/ps", ["-eo", "comm=,args="])
        return listing.stdout.split(separator: "\n").map(String.init).filter { line in
            line.hasPrefix("ssh ") && line.contains("/tmp/lurusctl-") && !line.contains("/tmp/lurusctl-keep-")
                && !before.contains { line.contains($0) }
        }
    }

    /// Runs a shell script from the repository root (to start, signal and wait for lurusctl runs).
    static func shell(_ script: String, timeout: Double) async throws -> ProcessRunner.Result {
        try await ProcessRunner.run(
            "/bin/sh",
            ["-c", script],
            currentDirectory: Repository.root.path,
            timeout: timeout
        )
    }
}
