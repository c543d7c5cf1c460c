import Foundation
import LurusTestSupport
import Testing

/// `restore --to-time`: PostgreSQL 15 on heart archives its WAL to the lab's S3 API server (the lab
/// inventory leaves backup.point_in_time on), each `backup` takes a base backup, and a recovery replays the
/// archived WAL to a time.
extension LabIntegrationTests.BackupLabTests {
    /// The ledger the recovery tests write: rows tagged with the phase they were written in.
    static func ledger(_ sql: String) async throws -> String {
        try await Self.psql(sql, database: "lurus_backup_test")
    }

    static func phases() async throws -> String {
        try await Self.ledger(
            "SELECT string_agg(phase || '=' || n, ' ' ORDER BY phase) FROM (SELECT phase, count(*) n FROM ledger GROUP BY phase) t"
        )
    }

    /// The database's clock after the rows before it committed, with a second on either side.
    static func pointBetweenCommits() async throws -> String {
        try await Task.sleep(for: .seconds(1))
        let point = try await Self.psql(
            "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
        )
        try await Task.sleep(for: .seconds(1))
        return point
    }

    /// The backup's manifest, read from the store.
    static func manifest(_ id: String) async throws -> [String: Any] {
        let path = "/tmp/lurus-backup-test.manifest.json"
        try await LabBackupStore.get("lurus-lab/\(id)/manifest.json", to: path)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func postgresPart(_ manifest: [String: Any]) -> [String: Any]? {
        (manifest["components"] as? [[String: Any]])?.first { $0["component"] as? String == "postgres" }
    }

    /// Waits until the archiver has stored `segment` (or a later one); the seconds it took, or nil when it
    /// did not within `limit`.
    static func secondsUntilArchived(_ segment: String, limit: Double) async throws -> Int? {
        let start = Date()
        while Date().timeIntervalSince(start) < limit {
            let archived = try await Self.psql(
                "SELECT count(*) FROM pg_stat_archiver WHERE length(last_archived_wal) = 24 AND substr(last_archived_wal, 9) >= substr('\(segment)', 9)"
            )
            if archived == "1" { return Int(Date().timeIntervalSince(start)) }
            try await Task.sleep(for: .seconds(1))
        }
        return nil
    }

    /// How many of the writers' units (`lurus-NAME@SLOT` for each name) are active on brain.
    static func activeUnits(_ names: [String]) async throws -> String {
        let patterns = names.map { "'lurus-\($0)@*'" }.joined(separator: " ")
        let result = try await Self.ssh("brain", "systemctl list-units --state=active --no-legend \(patterns) | wc -l")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// What a recovery may leave on heart: the data directory from before it, which the operator removes.
    static func removeKeptDataDirectories() async throws {
        _ = try await Self.ssh("heart", "rm -rf /var/lib/postgresql/15/main.before-restore-*")
    }

    @Test func aRecoveryToATimeBringsBackWhatWasCommittedBeforeItAndNothingAfter() async throws {
        try await Self.prepare()
        _ = try await Self.ledger("CREATE TABLE ledger (id bigserial PRIMARY KEY, phase text, amount numeric(18, 6))")
        let backup = try await Self.lurusctl(["backup", "--only", "postgres", "--json"])
        try #require(backup.status == 0, "\(backup)")
        let id = try #require(Self.lines(backup.stdout, type: "backup_summary").first?["id"] as? String)
        let part = try #require(Self.postgresPart(try await Self.manifest(id)))
        let objects = part["objects"] as? [[String: Any]] ?? []
        #expect(objects.contains { $0["content"] as? String == "postgres-base" }, "no base backup: \(part)")
        let system = try #require(part["system_identifier"] as? String, "\(part)")
        #expect((part["wal_start"] as? String)?.count == 24, "\(part)")

        // Money moves after the backup; the point to recover to lies between two commits.
        _ = try await Self.ledger(
            "INSERT INTO ledger (phase, amount) SELECT 'before', i / 100.0 FROM generate_series(1, 500) i"
        )
        let fingerprint = try await Self.fingerprint()
        let point = try await Self.pointBetweenCommits()
        _ = try await Self.ledger("INSERT INTO ledger (phase, amount) SELECT 'after', i FROM generate_series(1, 300) i")
        // Nothing forces the segment out: archive_timeout (60 s) does, so the rows committed a minute or
        // more before a failure are in the store even if the node is lost with its disk.
        let segment = try await Self.psql("SELECT pg_walfile_name(pg_current_wal_lsn())")
        let waited = try await Self.secondsUntilArchived(segment, limit: 150)
        try #require(waited != nil, "\(segment) was not archived within 150 s of the commit (archive_timeout is 60 s)")
        print("the segment with the last commit was archived \(waited ?? 0) s after it, by archive_timeout")
        let wal = try await LabBackupStore.keys(under: "lurus-lab/wal/\(system)/")
        #expect(!wal.isEmpty, "no WAL under lurus-lab/wal/\(system)/")

        // The failure: the ledger dropped.
        _ = try await Self.ledger("DROP TABLE ledger")
        let restore = try await Self.lurusctl(["restore", "--to-time", point, "--yes"])
        try #require(restore.status == 0, "\(restore)")
        #expect(restore.stdout.contains("recovery stopping before commit"), "\(restore)")
        #expect(restore.stdout.contains("main.before-restore-"), "\(restore)")
        let audit = try await Self.lurusctl(["audit", "--json", "-n", "1"])
        #expect(audit.stdout.contains("PostgreSQL recovered to "), "the audit record: \(audit)")
        #expect(try await Self.phases() == "before=500", "the ledger after the recovery")
        #expect(try await Self.fingerprint() == fingerprint, "the other tables as they were at the point")
        #expect(try await Self.activeUnits(["billing", "provider"]) == "2", "the writers after the recovery")
        let settings = try await Self.ssh("heart", "ls /etc/postgresql/15/main/conf.d/ /var/lib/postgresql/")
        #expect(!settings.stdout.contains("recovery") && !settings.stdout.contains("lurus-restore"), "\(settings)")

        // Nothing for up to do afterwards, and archiving goes on on the new timeline.
        let up = try await Self.lurusctl(["up", "--yes"], timeout: 900)
        #expect(up.status == 0 && up.stdout.contains("Up: 0 changed"), "\(up)")
        let next = try await Self.lurusctl(["backup", "--only", "postgres"])
        #expect(next.status == 0, "\(next)")
        let timeline = try await Self.psql("SELECT timeline_id FROM pg_control_checkpoint()")
        #expect(timeline != "1", "the recovered server is on a new timeline")
        try await Self.removeKeptDataDirectories()
        try await Self.expectNothingLeft()
    }

    @Test func aRecoveryThatCannotReachItsTimeLeavesTheServerAsItWas() async throws {
        try await Self.prepare()
        _ = try await Self.ledger("CREATE TABLE ledger (id bigserial PRIMARY KEY, phase text, amount numeric(18, 6))")
        // A time before any base backup, and one in the future: refused before anything is touched.
        let early = try await Self.lurusctl(["restore", "--to-time", "2026-01-01T00:00:00Z", "--yes"])
        #expect(early.status == 1 && early.stderr.contains("no backup with a PostgreSQL base backup"), "\(early)")
        let future = try await Self.lurusctl(["restore", "--to-time", "2099-01-01T00:00:00Z", "--yes"])
        #expect(future.status != 0 && future.stderr.contains("is in the future"), "\(future)")

        let backup = try await Self.lurusctl(["backup", "--only", "postgres", "--json"])
        try #require(backup.status == 0, "\(backup)")
        let id = try #require(Self.lines(backup.stdout, type: "backup_summary").first?["id"] as? String)
        let system = try #require(Self.postgresPart(try await Self.manifest(id))?["system_identifier"] as? String)
        _ = try await Self.ledger("INSERT INTO ledger (phase, amount) SELECT 'one', i FROM generate_series(1, 100) i")
        let segment = try await Self.psql("SELECT pg_walfile_name(pg_current_wal_lsn())")
        _ = try await Self.psql("SELECT pg_switch_wal()")
        let point = try await Self.pointBetweenCommits()
        _ = try await Self.ledger("INSERT INTO ledger (phase, amount) SELECT 'two', i FROM generate_series(1, 100) i")
        _ = try await Self.psql("SELECT pg_switch_wal()")
        // The segment with the first rows, corrupted in the store (its hashes kept as they were).
        let key = "lurus-lab/wal/\(system)/\(segment).zst"
        var stored = false
        for _ in 0..<60 where !stored {
            stored = try await LabBackupStore.keys(under: key).contains(key)
            if !stored { try await Task.sleep(for: .seconds(1)) }
        }
        try #require(stored, "\(key) was not archived")
        let original = "/tmp/lurus-backup-test.wal"
        let headers = try await LabBackupStore.curl([
            "-f", "-D", "-", "-o", original, "\(LabBackupStore.endpoint)/\(LabBackupStore.bucket)/\(key)",
        ])
        try #require(headers.status == 0, "\(headers)")
        let metadata = headers.stdout.split(separator: "\r\n").filter { $0.lowercased().hasPrefix("x-amz-meta-") }
        #expect(metadata.count == 2, "\(headers.stdout)")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: original))
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: original))
        let put = try await LabBackupStore.curl(
            ["-f", "-X", "PUT", "-T", original] + metadata.flatMap { ["-H", String($0)] }
                + ["\(LabBackupStore.endpoint)/\(LabBackupStore.bucket)/\(key)"]
        )
        try #require(put.status == 0, "\(put)")

        let restore = try await Self.lurusctl(["restore", "--to-time", point, "--yes"])
        #expect(restore.status == 1, "\(restore)")
        #expect(restore.stdout.contains("recovery ended before configured recovery target"), "\(restore)")
        #expect(restore.stdout.contains("was put back"), "\(restore)")
        #expect(try await Self.phases() == "one=100 two=100", "the live ledger after the failed recovery")
        let left = try await Self.ssh(
            "heart",
            "ls -d /var/lib/postgresql/15/main.* /etc/postgresql/15/main/conf.d/90-lurus-recovery.conf /var/lib/postgresql/lurus-restore.conf 2>/dev/null; systemctl is-active postgresql@15-main"
        )
        #expect(left.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "active", "left on heart: \(left)")
        try await Self.expectNothingLeft()
    }

    @Test func aRecoveryWhoseLurusctlIsKilledInTheSwitchEndsWholeAndARerunFinishes() async throws {
        try await Self.prepare()
        _ = try await Self.ledger("CREATE TABLE ledger (id bigserial PRIMARY KEY, phase text, amount numeric(18, 6))")
        let backup = try await Self.lurusctl(["backup", "--only", "postgres"])
        try #require(backup.status == 0, "\(backup)")
        _ = try await Self.ledger(
            "INSERT INTO ledger (phase, amount) SELECT 'before', i FROM generate_series(1, 500) i"
        )
        let point = try await Self.pointBetweenCommits()
        _ = try await Self.ledger("INSERT INTO ledger (phase, amount) SELECT 'after', i FROM generate_series(1, 300) i")
        let segment = try await Self.psql("SELECT pg_walfile_name(pg_current_wal_lsn())")
        _ = try await Self.psql("SELECT pg_switch_wal()")
        try #require(try await Self.secondsUntilArchived(segment, limit: 60) != nil, "\(segment) was not archived")

        // lurusctl killed (SIGKILL: no cleanup of its own) once the switch has begun on heart.
        let recovery = "/etc/postgresql/15/main/conf.d/90-lurus-recovery.conf"
        let killed = try await LabIntegrationTests.shell(
            """
            \(Repository.lurusctl) restore -i inventory/lab.yaml --to-time \(point) --yes >/tmp/lurus-killed-restore.log 2>&1 &
            pid=$!
            ssh -F .lab/ssh/config heart 'for i in $(seq 1200); do [ -e \(recovery) ] && exit 0; sleep 0.05; done; exit 1'
            seen=$?
            kill -9 $pid
            wait $pid
            echo "seen=$seen"
            """,
            timeout: 180
        )
        #expect(
            killed.stdout.contains("seen=0"),
            "the switch never began: \(killed) \((try? String(contentsOfFile: "/tmp/lurus-killed-restore.log", encoding: .utf8)) ?? "")"
        )
        // The switch goes on by itself and ends with the server recovered.
        var ended = false
        for _ in 0..<120 where !ended {
            let state = try await Self.ssh(
                "heart",
                "test ! -e \(recovery) && runuser -u postgres -- psql -X -A -t -c 'SELECT pg_is_in_recovery()'"
            )
            ended = state.status == 0 && state.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "f"
            if !ended { try await Task.sleep(for: .seconds(1)) }
        }
        try #require(ended, "the detached switch did not end")
        #expect(try await Self.phases() == "before=500", "the ledger after the killed run's recovery")
        #expect(try await Self.activeUnits(["billing"]) == "0", "billing runs though the fence was never lifted")

        // The rerun: the dead run's lock released, the recovery done again, the writers it stopped started.
        let release = try await Self.lurusctl(["lock", "release"])
        #expect(release.status == 0, "\(release)")
        let rerun = try await Self.lurusctl(["restore", "--to-time", point, "--yes"])
        try #require(rerun.status == 0, "\(rerun)")
        #expect(try await Self.phases() == "before=500", "the ledger after the rerun")
        #expect(try await Self.activeUnits(["billing", "provider"]) == "2", "the writers after the rerun")
        let held = try await Self.ssh("brain", "cat /var/lib/lurus/fence.held")
        #expect(held.status == 0 && held.stdout.isEmpty, "the fence still holds units: \(held)")
        let left = try await Self.ssh("heart", "ls /var/lib/postgresql/ /etc/postgresql/15/main/conf.d/")
        #expect(!left.stdout.contains("lurus-restore.") && !left.stdout.contains("recovery"), "left on heart: \(left)")
        try await Self.removeKeptDataDirectories()
        try await Self.expectNothingLeft()
    }
}
