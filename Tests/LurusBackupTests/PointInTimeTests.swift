import Foundation
import LurusInventory
import LurusTestSupport
import Testing

@testable import LurusBackup

/// The decisions behind `restore --to-time` and the archived WAL: which base backup a time starts from,
/// how the time is read and written, which WAL retention removes, and the jobs the inventory makes.
@Suite struct PointInTimeTests {
    static func manifest(_ id: String, finished: TimeInterval, base: Bool) -> BackupManifest {
        var part = ComponentBackup(
            component: .postgres,
            node: "heart",
            serverVersion: "15",
            method: "m",
            objects: base
                ? [BackupObject(key: "postgres/base.tar.zst.0000", content: .postgresBase, bytes: 1, sha256: "a")] : []
        )
        if base {
            part.systemIdentifier = "42"
            part.walStart = "000000010000000000000005"
        }
        let id = BackupID(id)!
        return BackupManifest(
            cluster: "lab",
            id: id,
            startedAt: id.startedAt,
            finishedAt: Date(timeIntervalSince1970: finished),
            tool: "t",
            components: [part]
        )
    }

    @Test func aRecoveryStartsFromTheNewestBaseBackupFinishedByItsTime() {
        let manifests = [
            Self.manifest("20261201T000000Z", finished: 1000, base: true),
            Self.manifest("20261202T000000Z", finished: 2000, base: false),
            Self.manifest("20261203T000000Z", finished: 3000, base: true),
        ]
        let at = { (seconds: TimeInterval) in
            PointInTime.base(for: Date(timeIntervalSince1970: seconds), among: manifests)?.id.text
        }
        #expect(at(999) == nil)
        #expect(at(1000) == "20261201T000000Z")
        #expect(at(2500) == "20261201T000000Z")  // the newer one has no base backup
        #expect(at(2999.9) == "20261201T000000Z")  // the newest had not finished
        #expect(at(86400) == "20261203T000000Z")
    }

    @Test func timesAreReadWithTheirZoneAndWrittenInUTCForPostgreSQL() throws {
        let date = try #require(PointInTime.parse("2026-12-07T07:30:05.25+01:00"))
        #expect(PointInTime.recoveryTarget(date) == "2026-12-07 06:30:05.250+00")
        #expect(
            PointInTime.parse("2026-12-07 06:30:05Z").map(PointInTime.recoveryTarget) == "2026-12-07 06:30:05.000+00"
        )
        #expect(PointInTime.parse("2026-12-07T06:30:05") == nil, "a time without a zone is ambiguous")
        #expect(PointInTime.parse("yesterday") == nil)
    }

    @Test func walRetentionKeepsWhatTheOldestKeptBaseBackupNeeds() {
        let root = "lab/wal/"
        let keys = [
            "lab/wal/42/000000010000000000000003.zst",
            "lab/wal/42/000000010000000000000004.00000028.backup.zst",
            "lab/wal/42/000000010000000000000005.zst",
            "lab/wal/42/000000020000000000000006.zst",
            "lab/wal/42/00000002.history.zst",
            "lab/wal/7/000000010000000000000001.zst",  // a server rebuilt since: no kept backup names it
            "lab/20261201T000000Z/manifest.json",
        ]
        let start = WALSegment("000000010000000000000005")!
        #expect(
            WALRetention.obsolete(keys: keys, root: root, oldestStarts: ["42": start]) == [
                "lab/wal/42/000000010000000000000003.zst",
                "lab/wal/42/000000010000000000000004.00000028.backup.zst",
                "lab/wal/7/000000010000000000000001.zst",
            ]
        )
        #expect(WALRetention.obsolete(keys: keys, root: root, oldestStarts: [:]).isEmpty)
        // Later timelines go on from the same positions: timeline 2 at 4 precedes timeline 1 at 5.
        #expect(WALSegment("000000020000000000000004")!.precedes(start))
        #expect(WALSegment("00000001000000000000000G") == nil)
    }

    @Test func theBackupJobTakesABaseBackupUnlessPointInTimeIsOff() throws {
        let text = try String(contentsOfFile: Repository.path("inventory/lab.yaml"), encoding: .utf8)
        let on = try Self.inventory(text)
        let job = try #require(ComponentJobs.backups([.postgres], inventory: on, folder: "lurus-lab/ID/").first)
        #expect(job.scripts == ["postgres", "postgres-archive", "postgres-backup"] && job.installsWALArchive)
        #expect(job.arguments.suffix(2) == ["base", "lurus-lab/wal/"])
        #expect(job.method.contains("pg_basebackup"))

        let offText = text.replacingOccurrences(
            of: "  keep_last: 3\n",
            with: "  keep_last: 3\n  point_in_time: false\n"
        )
        let off = try Self.inventory(offText)
        let plain = try #require(ComponentJobs.backups([.postgres], inventory: off, folder: "lurus-lab/ID/").first)
        #expect(plain.scripts == ["postgres", "postgres-backup"] && !plain.installsWALArchive)
        #expect(!plain.arguments.contains("base"))

        let part = Self.manifest("20261201T000000Z", finished: 1, base: true).components[0]
        let recovery = try #require(
            ComponentJobs.pointInTime(part, target: "2026-12-07 06:30:05.000+00", inventory: on, folder: "f/")
        )
        #expect(recovery.node.name == "heart")
        #expect(recovery.scripts == ["read-spec", "postgres", "postgres-archive", "postgres-pitr"])
        #expect(recovery.arguments.suffix(3) == ["2026-12-07 06:30:05.000+00", "lurus-lab/wal/42/", ""])
        var logical = part
        logical.systemIdentifier = nil
        #expect(ComponentJobs.pointInTime(logical, target: "t", inventory: on, folder: "f/") == nil)
    }

    static func inventory(_ text: String) throws -> Inventory {
        let paths = PathResolver(inventoryDirectory: Repository.path("inventory"), homeDirectory: "/home/operator")
        let (inventory, diagnostics) = InventoryLoader.check(text: text, file: "lab.yaml", paths: paths)
        return try #require(inventory, "\(diagnostics)")
    }
}
