import Foundation
import LurusTestSupport
import Testing

extension LabIntegrationTests {
    /// `lurusctl backup`, `backup list`, `backup verify`, `restore --drill` and `restore` against the lab's
    /// real PostgreSQL 15 and ClickHouse 18.16, to the lab's S3 API server, with data the tests make.
    @Suite(.serialized) struct BackupLabTests {
        static let config = Repository.path(".lab/ssh/config")

        static func ssh(
            _ node: String,
            _ script: String,
            input: String = "",
            timeout: Double = 120
        ) async throws
            -> ProcessRunner.Result
        {
            try await ProcessRunner.run(
                "/usr/bin/ssh",
                ["-F", Self.config, node, "cd / && " + script],
                input: Array(input.utf8),
                timeout: timeout
            )
        }

        /// SQL as postgres on heart, in `database`; its answer unaligned.
        static func psql(_ sql: String, database: String = "postgres") async throws -> String {
            let result = try await Self.ssh(
                "heart",
                "runuser -u postgres -- psql -X -q -A -t -v ON_ERROR_STOP=1 -d \(database)",
                input: sql
            )
            try #require(result.status == 0, "psql: \(result)")
            return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// SQL over ClickHouse's HTTP port on lab.
        static func clickhouse(_ sql: String) async throws -> String {
            let result = try await Self.ssh(
                "lab",
                "curl -sS --fail-with-body http://127.0.0.1:8123/ --data-binary @-",
                input: sql
            )
            try #require(result.status == 0, "clickhouse: \(result)")
            return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        static func lurusctl(_ arguments: [String], timeout: Double = 600) async throws -> ProcessRunner.Result {
            try await ProcessRunner.run(
                Repository.lurusctl,
                arguments + ["-i", "inventory/lab.yaml"],
                currentDirectory: Repository.root.path,
                timeout: timeout
            )
        }

        /// The lab with its services, the store empty, and the tests' own data: a PostgreSQL database of
        /// three tables (about 4 MB with a table of random bytes that does not compress) and a ClickHouse
        /// table of 20,000 rows with Decimal, Nullable and Date columns.
        static func prepare() async throws {
            try await ServiceDeployLabTests.labWithServices()
            try await LabBackupStore.start()
            try await LabBackupStore.clear()
            _ = try await Self.psql("DROP DATABASE IF EXISTS lurus_backup_test; CREATE DATABASE lurus_backup_test;")
            _ = try await Self.psql(
                """
                CREATE TABLE accounts (id int PRIMARY KEY, name text NOT NULL, balance numeric(18, 6), opened timestamptz);
                INSERT INTO accounts SELECT i, 'account ' || i, i / 7.0, timestamptz '2026-01-01' + i * interval '1 minute'
                    FROM generate_series(1, 5000) i;
                CREATE TABLE notes (id bigserial PRIMARY KEY, account int REFERENCES accounts, body text, extra jsonb);
                INSERT INTO notes (account, body, extra) SELECT 1 + i % 5000, repeat('note ', i % 50), jsonb_build_object('i', i)
                    FROM generate_series(1, 3000) i;
                CREATE TABLE blobs (id int PRIMARY KEY, data bytea);
                INSERT INTO blobs SELECT i, decode(string_agg(md5(i::text || '-' || j), ''), 'hex')
                    FROM generate_series(1, 400) i, generate_series(1, 640) j GROUP BY i;
                """,
                database: "lurus_backup_test"
            )
            _ = try await Self.clickhouse("DROP DATABASE IF EXISTS lurus_backup_test")
            _ = try await Self.clickhouse("CREATE DATABASE lurus_backup_test")
            _ = try await Self.clickhouse(
                "CREATE TABLE lurus_backup_test.events (d Date, id UInt64, name String, price Decimal(18, 6), tag Nullable(String)) ENGINE = MergeTree(d, id, 8192)"
            )
            _ = try await Self.clickhouse(
                "INSERT INTO lurus_backup_test.events SELECT toDate('2026-12-01') + number % 30, number, concat('n', toString(number)), number / 100, if(number % 3 = 0, NULL, 'x') FROM system.numbers LIMIT 20000"
            )
        }

        /// What the tests compare before and after: per table, its rows and a hash of its content in order.
        static func fingerprint() async throws -> [String: String] {
            var result: [String: String] = [:]
            for (table, order) in [("accounts", "id"), ("notes", "id"), ("blobs", "id")] {
                result["pg.\(table)"] = try await Self.psql(
                    "SELECT count(*) || ' ' || md5(coalesce(string_agg(t::text, ',' ORDER BY \(order)), '')) FROM \(table) t",
                    database: "lurus_backup_test"
                )
            }
            result["ch.events"] = try await Self.clickhouse(
                "SELECT count(), sum(cityHash64(toString(d), id, name, toString(price), ifNull(tag, 'NULL'))) FROM lurus_backup_test.events"
            )
            return result
        }

        /// JSON lines of a `--json` run, by type.
        static func lines(_ output: String, type: String) -> [[String: Any]] {
            output.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }.filter { $0["type"] as? String == type }
        }

        /// Nothing a check or restore makes on the nodes is left after it: scratch databases, work folders.
        static func expectNothingLeft() async throws {
            let pg = try await Self.psql(
                "SELECT string_agg(datname, ',') FROM pg_database WHERE datname ~ '^lurus_(drill|restore|replaced)_'"
            )
            #expect(pg.isEmpty, "PostgreSQL scratch databases left: \(pg)")
            let ch = try await Self.clickhouse(
                "SELECT name FROM system.databases WHERE name LIKE 'lurus\\\\_drill%' OR name LIKE 'lurus\\\\_restore%' OR name LIKE 'lurus\\\\_replaced%' OR name = 'lurus_backup_check'"
            )
            #expect(ch.isEmpty, "ClickHouse scratch databases left: \(ch)")
            for node in ["heart", "lab"] {
                let folders = try await Self.ssh(node, "ls -d /var/tmp/lurus-backup.* 2>/dev/null || true")
                #expect(folders.stdout.isEmpty, "work folders left on \(node): \(folders.stdout)")
            }
        }

        @Test func backupVerifyDrillAndRestoreAfterTablesWereDropped() async throws {
            try await Self.prepare()
            let before = try await Self.fingerprint()
            // Small segments, so that the larger dumps are stored as several objects.
            let backup = try await Self.lurusctl(["backup", "--json", "--segment-bytes", "262144"])
            try #require(backup.status == 0, "\(backup)")
            let summary = try #require(Self.lines(backup.stdout, type: "backup_summary").first, "\(backup)")
            #expect(summary["ok"] as? Bool == true)
            let id = try #require(summary["id"] as? String)
            let keys = try await LabBackupStore.keys()
            #expect(keys.contains("lurus-lab/\(id)/manifest.json"), "\(keys)")
            #expect(keys.filter { $0.contains("postgres/lurus_backup_test.dump.zst.") }.count >= 2, "\(keys)")

            let list = try await Self.lurusctl(["backup", "list", "--json"])
            try #require(list.status == 0, "\(list)")
            let listed = Self.lines(list.stdout, type: "backup")
            #expect(listed.map { $0["id"] as? String } == [id] && listed.first?["complete"] as? Bool == true, "\(list)")

            let verify = try await Self.lurusctl(["backup", "verify", id])
            #expect(verify.status == 0, "\(verify)")
            #expect(verify.stdout.contains("verify of backup \(id) ok"), "\(verify)")

            // The drill restores into scratch databases and matches every table with the manifest.
            let drill = try await Self.lurusctl(["restore", "--drill", "--json"])
            try #require(drill.status == 0, "\(drill)")
            let parts = Self.lines(drill.stdout, type: "drill_component")
            #expect(parts.count == 2 && parts.allSatisfy { $0["ok"] as? Bool == true }, "\(drill)")
            let rows = parts.reduce(0) { $0 + (($1["rows"] as? Int) ?? 0) }
            #expect(rows >= 5000 + 3000 + 400 + 20_000, "\(drill)")
            #expect(try await Self.fingerprint() == before, "the drill touched live data")
            try await Self.expectNothingLeft()

            // Tables lost: a restore without confirmation is refused and changes nothing.
            _ = try await Self.psql(
                "DROP TABLE notes; DELETE FROM accounts WHERE id > 100;",
                database: "lurus_backup_test"
            )
            _ = try await Self.clickhouse("DROP TABLE lurus_backup_test.events")
            let refused = try await Self.lurusctl(["restore"])
            #expect(refused.status == 1 && refused.stderr.contains("--yes"), "\(refused)")
            #expect(try await Self.psql("SELECT count(*) FROM accounts", database: "lurus_backup_test") == "100")

            let restore = try await Self.lurusctl(["restore", "--yes", id])
            try #require(restore.status == 0, "\(restore)")
            #expect(restore.stdout.contains("restore of backup \(id) ok"), "\(restore)")
            #expect(try await Self.fingerprint() == before, "the restore did not bring every row back")
            try await Self.expectNothingLeft()
            // The writers it stopped run again and answer.
            let billing = try await Self.ssh("brain", "systemctl is-active lurus-billing@blue lurus-provider@blue")
            #expect(billing.stdout.split(separator: "\n").allSatisfy { $0 == "active" }, "\(billing)")
            let logs = try await Self.ssh("lab", "systemctl is-active lurus-log@blue")
            #expect(logs.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "active", "\(logs)")
            // The audit log has the restore.
            let audit = try await Self.lurusctl(["audit", "-n", "3"])
            #expect(audit.stdout.contains("lurusctl restore --yes"), "\(audit)")
        }

        @Test func aFlippedByteInAnyKindOfObjectFailsVerifyNamingIt() async throws {
            try await Self.prepare()
            let backup = try await Self.lurusctl(["backup"])
            try #require(backup.status == 0, "\(backup)")
            let keys = try await LabBackupStore.keys()
            let kinds = [
                "postgres/globals.sql.zst.0000", "postgres/lurus_backup_test.dump.zst.0000",
                "postgres/base.tar.zst.0000",
                "clickhouse/lurus_backup_test.events.sql.zst.0000",
                "clickhouse/lurus_backup_test.events.native.zst.0000",
            ]
            for kind in kinds {
                let key = try #require(keys.first { $0.hasSuffix(kind) }, "no \(kind) in \(keys)")
                let original = "/tmp/lurus-backup-test.original"
                let flipped = "/tmp/lurus-backup-test.flipped"
                try await LabBackupStore.get(key, to: original)
                var bytes = try Data(contentsOf: URL(fileURLWithPath: original))
                bytes[bytes.count / 2] ^= 0x01
                try bytes.write(to: URL(fileURLWithPath: flipped))
                try await LabBackupStore.put(flipped, at: key)
                let verify = try await Self.lurusctl(["backup", "verify"])
                #expect(verify.status == 1, "\(kind): \(verify)")
                #expect(verify.stdout.contains("object \(key): SHA-256"), "\(kind): \(verify)")
                try await LabBackupStore.put(original, at: key)
            }
            let verify = try await Self.lurusctl(["backup", "verify"])
            #expect(verify.status == 0, "\(verify)")
            try await Self.expectNothingLeft()
        }

        @Test func aKilledBackupIsNeverCompleteAndTheNextRunRemovesIt() async throws {
            try await Self.prepare()
            // A multipart upload another run left open.
            let upload = try await LabBackupStore.openUpload(
                at: "lurus-lab/20260101T000000Z/postgres/old.dump.zst.0000"
            )
            // Tiny segments keep the run uploading long enough to be killed in the middle.
            let killed = try await LabIntegrationTests.shell(
                """
                \(Repository.lurusctl) backup -i inventory/lab.yaml --segment-bytes 65536 >/tmp/lurus-killed-backup.log 2>&1 &
                pid=$!
                for i in $(seq 200); do
                    n=$(ssh -F .lab/ssh/config heart 'ls /var/tmp/lurus-backup.*/segment.* 2>/dev/null | wc -l')
                    [ "$n" -gt 0 ] && break
                    sleep 0.05
                done
                sleep 1
                kill -9 $pid
                wait $pid 2>/dev/null
                echo killed
                """,
                timeout: 120
            )
            #expect(killed.stdout.contains("killed"), "\(killed)")
            // The node's script ends with its ssh session; wait for it.
            let gone = try await Self.ssh(
                "heart",
                "for i in $(seq 100); do pgrep -f '[l]urus-backup' >/dev/null || exit 0; sleep 0.1; done; exit 1"
            )
            #expect(gone.status == 0, "the backup script still runs on heart")
            let keys = try await LabBackupStore.keys()
            // Backup folders only: the archived WAL (lurus-lab/wal/) is beside them.
            let folders = Set(keys.compactMap { $0.split(separator: "/").dropFirst().first.map(String.init) })
                .filter { $0.count == 16 && $0.hasSuffix("Z") && $0.dropLast().allSatisfy { $0.isNumber || $0 == "T" } }
            let killedID = try #require(
                folders.first { $0 != "20260101T000000Z" },
                "the killed run stored nothing: \(keys)"
            )
            #expect(!keys.contains("lurus-lab/\(killedID)/manifest.json"), "a killed backup has its manifest")
            let list = try await Self.lurusctl(["backup", "list", "--json"])
            let entry = Self.lines(list.stdout, type: "backup").first { $0["id"] as? String == killedID }
            #expect(entry?["complete"] as? Bool == false, "\(list)")
            let verify = try await Self.lurusctl(["backup", "verify", killedID])
            #expect(verify.status == 1 && verify.stderr.contains("not complete"), "\(verify)")

            // The lock the killed run held is freed by hand, as its holder is gone; the next run is clean.
            let release = try await Self.lurusctl(["lock", "release"])
            try #require(release.status == 0, "\(release)")
            let next = try await Self.lurusctl(["backup"])
            try #require(next.status == 0, "\(next)")
            let after = try await LabBackupStore.keys()
            #expect(
                !after.contains { $0.contains("/\(killedID)/") },
                "the killed run's objects are still there: \(after)"
            )
            #expect(!after.contains { $0.contains("/20260101T000000Z/") })
            #expect(!(try await LabBackupStore.openUploads()).contains(upload), "the open upload was not aborted")
            #expect(
                Self.lines((try await Self.lurusctl(["backup", "list", "--json"])).stdout, type: "backup").count == 1
            )
        }

        @Test func retentionKeepsTheNewestKeepLastAndDryRunRemovesNothing() async throws {
            try await Self.prepare()
            var ids: [String] = []
            for _ in 0..<4 {
                // Ids are seconds: one backup per second at most.
                try await Task.sleep(for: .seconds(1.1))
                let backup = try await Self.lurusctl(["backup", "--json", "--only", "clickhouse"])
                try #require(backup.status == 0, "\(backup)")
                ids.append(try #require(Self.lines(backup.stdout, type: "backup_summary").first?["id"] as? String))
            }
            // keep_last is 3 in the lab inventory: the first went with the fourth run.
            let listed = Self.lines((try await Self.lurusctl(["backup", "list", "--json"])).stdout, type: "backup")
            #expect(listed.compactMap { $0["id"] as? String } == Array(ids.dropFirst()))
            let dry = try await Self.lurusctl(["backup", "--dry-run"])
            #expect(
                dry.status == 0 && dry.stdout.contains("would back up: postgres on heart, clickhouse on lab"),
                "\(dry)"
            )
            #expect(dry.stdout.contains("retention would keep \(ids[3]): the newest complete backup"), "\(dry)")
            let again = Self.lines((try await Self.lurusctl(["backup", "list", "--json"])).stdout, type: "backup")
            #expect(again.count == 3)
        }

        @Test func secretsAreInNoArgumentOutputOrAuditRecord() async throws {
            try await Self.prepare()
            // Watch every process's arguments on heart and lab while the backup and a verify run.
            let watch =
                "rm -f /var/tmp/lurus-ps.log; (for i in $(seq 600); do ps -eo args >>/var/tmp/lurus-ps.log; sleep 0.02; done) >/dev/null 2>&1 &"
            for node in ["heart", "lab"] { _ = try await Self.ssh(node, watch) }
            let backup = try await Self.lurusctl(["backup", "--json", "--segment-bytes", "65536"])
            try #require(backup.status == 0, "\(backup)")
            let verify = try await Self.lurusctl(["backup", "verify", "--json"])
            #expect(verify.status == 0, "\(verify)")
            for node in ["heart", "lab"] {
                _ = try await Self.ssh(node, "pkill -f 'lurus-ps.log' || true")
                let seen = try await Self.ssh(
                    node,
                    "grep -c curl /var/tmp/lurus-ps.log; grep -c -F \(LabBackupStore.secretKey) /var/tmp/lurus-ps.log || true"
                )
                let counts = seen.stdout.split(separator: "\n").compactMap { Int($0) }
                #expect(counts.first ?? 0 > 0, "the watch on \(node) saw no curl: \(seen)")
                #expect(counts.last == 0, "the S3 secret key was in a command line on \(node)")
            }
            for output in [backup.stdout, backup.stderr, verify.stdout, verify.stderr] {
                #expect(!output.contains(LabBackupStore.secretKey))
            }
            let audit = try await Self.lurusctl(["audit", "--json", "-n", "5"])
            #expect(!audit.stdout.contains(LabBackupStore.secretKey) && audit.stdout.contains("backup"), "\(audit)")
        }

        /// The lab inventory with encrypted backups: a fresh age key pair, the public key under
        /// `encrypt_to`, the private key as `identity` (or left out), written beside inventory/lab.yaml.
        static func encryptedInventory(identity: Bool) async throws -> (path: String, recipient: String) {
            let key = "/tmp/lurus-backup-test.age-key"
            if !FileManager.default.fileExists(atPath: key) {
                let made = try await ProcessRunner.run("/usr/bin/age-keygen", ["-o", key])
                try #require(made.status == 0, "age-keygen: \(made)")
            }
            let text = try String(contentsOfFile: key, encoding: .utf8)
            let recipient = try #require(
                text.split(separator: "\n").first { $0.hasPrefix("# public key: ") }.map { String($0.dropFirst(14)) }
            )
            var inventory = try String(contentsOfFile: Repository.path("inventory/lab.yaml"), encoding: .utf8)
            inventory = inventory.replacingOccurrences(
                of: "  keep_last: 3\n",
                with: "  keep_last: 3\n  encrypt_to: [\(recipient)]\n" + (identity ? "  identity: file:\(key)\n" : "")
            )
            let path = Repository.path("inventory/lab-encrypted\(identity ? "" : "-no-identity").test.yaml")
            try inventory.write(toFile: path, atomically: true, encoding: .utf8)
            return (path, recipient)
        }

        @Test func encryptedBackupsAreSealedOnTheNodesAndReadOnlyWithTheIdentity() async throws {
            try await Self.prepare()
            let (path, recipient) = try await Self.encryptedInventory(identity: true)
            let (bare, _) = try await Self.encryptedInventory(identity: false)
            defer {
                try? FileManager.default.removeItem(atPath: path)
                try? FileManager.default.removeItem(atPath: bare)
            }
            // up installs age on the nodes; then the backup seals every object with it.
            let up = try await ProcessRunner.run(
                Repository.lurusctl,
                ["up", "-i", path, "--yes"],
                currentDirectory: Repository.root.path,
                timeout: 900
            )
            try #require(up.status == 0, "\(up)")
            let run = { (arguments: [String], inventory: String) in
                try await ProcessRunner.run(
                    Repository.lurusctl,
                    arguments + ["-i", inventory],
                    currentDirectory: Repository.root.path,
                    timeout: 600
                )
            }
            let backup = try await run(["backup", "--json"], path)
            try #require(backup.status == 0, "\(backup)")
            let id = try #require(Self.lines(backup.stdout, type: "backup_summary").first?["id"] as? String)
            let keys = try await LabBackupStore.keys(under: "lurus-lab/\(id)/")
            for key in keys where !key.hasSuffix("manifest.json") {
                try await LabBackupStore.get(key, to: "/tmp/lurus-backup-test.sealed")
                let head = try Data(contentsOf: URL(fileURLWithPath: "/tmp/lurus-backup-test.sealed")).prefix(21)
                #expect(String(decoding: head, as: UTF8.self) == "age-encryption.org/v1", "\(key) is not sealed")
            }
            try await LabBackupStore.get("lurus-lab/\(id)/manifest.json", to: "/tmp/lurus-backup-test.manifest")
            let manifest = try String(contentsOfFile: "/tmp/lurus-backup-test.manifest", encoding: .utf8)
            #expect(manifest.contains(recipient) && manifest.contains("\"encrypted\" : true"), "\(manifest)")
            // No node was given the private key to keep.
            for node in ["heart", "lab"] {
                let found = try await Self.ssh(
                    node,
                    "grep -rl AGE-SECRET-KEY /etc /var/lib/lurus /var/tmp 2>/dev/null || true"
                )
                #expect(found.stdout.isEmpty, "a private key on \(node): \(found.stdout)")
            }
            let verify = try await run(["backup", "verify", id], path)
            #expect(verify.status == 0, "\(verify)")
            let drill = try await run(["restore", "--drill", id], path)
            #expect(drill.status == 0 && drill.stdout.contains("restore drill of backup \(id) ok"), "\(drill)")
            let refused = try await run(["backup", "verify", id], bare)
            #expect(refused.status == 1 && refused.stderr.contains("backup.identity"), "\(refused)")
            try await Self.expectNothingLeft()
        }
    }
}
