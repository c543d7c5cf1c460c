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
}
