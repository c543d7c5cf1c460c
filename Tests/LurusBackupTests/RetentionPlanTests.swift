import Foundation
import Testing

@testable import LurusBackup

/// Retention on a fixed clock: what stays and what goes, and why.
@Suite struct RetentionPlanTests {
    static let now = BackupID("20261203T030000Z")!.startedAt

    /// One complete backup a day at 03:00 for `days` days up to today, newest last.
    static func daily(_ days: Int) -> [StoredBackup] {
        (0..<days).reversed().map { ago in
            StoredBackup(
                id: BackupID(startedAt: Self.now.addingTimeInterval(-86_400 * Double(ago))),
                hasManifest: true,
                keys: []
            )
        }
    }

    @Test func keepLastKeepsTheNewestAndRemovesTheRestNewestFirst() {
        let plan = RetentionPlan(backups: Self.daily(5), keepLast: 3, maxAge: nil, now: Self.now)
        #expect(plan.kept.map(\.id.text) == ["20261203T030000Z", "20261202T030000Z", "20261201T030000Z"])
        #expect(plan.removed.map(\.id.text) == ["20261130T030000Z", "20261129T030000Z"])
        #expect(plan.removed.allSatisfy { $0.reason == "beyond keep_last 3" })
        #expect(plan.kept.first?.reason == "the newest complete backup")
    }

    @Test func maxAgeRemovesOlderBackupsButNeverTheNewestComplete() {
        let plan = RetentionPlan(backups: Self.daily(10), keepLast: 14, maxAge: .seconds(7 * 86_400), now: Self.now)
        #expect(plan.kept.count == 8, "today and the seven days before it: \(plan.kept)")
        #expect(plan.removed.map(\.id.text) == ["20261125T030000Z", "20261124T030000Z"])
        #expect(plan.removed.first?.reason == "older than max_age (8d old)")

        // Backups stopped a month ago: the newest of them is kept all the same.
        let stale = Self.daily(3).map {
            StoredBackup(
                id: BackupID(startedAt: $0.id.startedAt.addingTimeInterval(-30 * 86_400)),
                hasManifest: true,
                keys: []
            )
        }
        let kept = RetentionPlan(backups: stale, keepLast: 14, maxAge: .seconds(7 * 86_400), now: Self.now)
        #expect(kept.kept.map(\.id.text) == ["20261103T030000Z"])
        #expect(kept.removed.count == 2)
        #expect(RetentionPlan(backups: Self.daily(1), keepLast: 0, maxAge: .seconds(1), now: Self.now).removed.isEmpty)
    }

    @Test func aRunThatDidNotFinishIsRemovedAndItsUploadsAbortedButNotThisRunsOwn() {
        let running = BackupID("20261203T030000Z")!
        let killed = StoredBackup(
            id: BackupID("20261202T150000Z")!,
            hasManifest: false,
            keys: ["lurus/20261202T150000Z/postgres/globals.sql.zst"]
        )
        let thisRun = StoredBackup(id: running, hasManifest: false, keys: [])
        let uploads = [
            PendingUpload(
                key: "lurus/20261202T150000Z/postgres/lurus_billing.dump.zst",
                uploadID: "u1",
                backup: killed.id
            ),
            PendingUpload(
                key: "lurus/20261203T030000Z/postgres/lurus_billing.dump.zst",
                uploadID: "u2",
                backup: running
            ),
        ]
        let plan = RetentionPlan(
            backups: Self.daily(3).dropLast() + [killed, thisRun],
            uploads: uploads,
            keepLast: 14,
            maxAge: nil,
            now: Self.now,
            running: running
        )
        #expect(plan.removed == [.init(id: killed.id, reason: "incomplete: a run that did not finish (no manifest)")])
        #expect(plan.kept.map(\.id) == [running, BackupID("20261202T030000Z")!, BackupID("20261201T030000Z")!])
        #expect(plan.abortedUploads.map(\.uploadID) == ["u1"])
        // Without a run of its own (retention alone), every unfinished upload goes.
        #expect(
            RetentionPlan(backups: [], uploads: uploads, keepLast: 1, maxAge: nil, now: Self.now).abortedUploads.count
                == 2
        )
    }
}
