import ArgumentParser
import Foundation
import LurusBackup
import LurusEngine
import LurusInventory

/// `lurusctl backup`: take a backup (the default), list the stored ones, verify one.
struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Back up PostgreSQL, ClickHouse and K3s to the object store; list and verify backups.",
        discussion: """
            Each component's node streams its dumps straight to the store (backup.destination) in segments, \
            each stored with its SHA-256; the manifest is written last, so a backup without one (a run that \
            did not finish) is never listed as complete, and the next run removes it. See doc/operations.md.
            """,
        subcommands: [Take.self, List.self, Verify.self],
        defaultSubcommand: Take.self
    )

    /// `lurusctl backup [run]`.
    struct Take: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Take a backup now, then apply retention (keep_last, max_age).",
            discussion: """
                Runs under the cluster lock with an audit record. Prints one summary line (or, with --json, \
                one JSON object per line). Exits 0 only when every component is stored whole and the manifest \
                written; 1 otherwise (nothing of the failed backup is kept); 130 when interrupted. The time of \
                the backup per component goes to lurus_backup_COMPONENT.prom beside health.textfile_path on \
                its node, for the node exporter.
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var components: BackupComponentOption

        @Flag(help: "Take no backup: show what would be backed up and what retention would remove.")
        var dryRun = false

        @Flag(help: "Print JSON objects, one per line.")
        var json = false

        @Option(help: .hidden)
        var segmentBytes = ComponentJobs.defaultSegmentBytes

        @OptionGroup var lockWait: LockWaitOption

        func validate() throws {
            _ = try self.components.components
            guard self.segmentBytes >= 1 << 16 else { throw ValidationError("--segment-bytes must be at least 65536") }
        }

        func run() async throws {
            let logger = self.global.makeLogger()
            let session = try await BackupSession.load(self.global, logger: logger)
            let only = try self.components.components
            let json = self.json
            let say: @Sendable (String) -> Void = { line in
                if json {
                    Terminal.standardOutput.write(
                        (try? JSONLine.encode(.event("backup_progress", ["line": line]))) ?? ""
                    )
                } else {
                    Terminal.standardError.write(line)
                }
            }
            let lockWait = self.lockWait.duration
            let dryRun = self.dryRun
            let segmentBytes = self.segmentBytes
            let inventory = session.inventory
            let redactor = session.redactor
            do {
                try await Interrupts.cancelling {
                    try await session.with(logger: logger, segmentBytes: segmentBytes, say: say) { run, ssh in
                        if dryRun {
                            try await Self.dryRun(run, only: only, json: json)
                            return
                        }
                        let operation = ClusterOperation(
                            verb: "backup",
                            inventory: inventory,
                            transport: ssh,
                            lockWait: lockWait,
                            warn: { say(redactor.redact($0)) }
                        )
                        let outcome: BackupRun.Outcome = try await operation.run(
                            events: { _ in },
                            prepare: { _ in () },
                            work: { _, _ in
                                let outcome = try await run.backup(only: only)
                                return .init(outcome, record: Self.record(outcome.manifest.components.map(\.node)))
                            }
                        )
                        Self.print(outcome, json: json)
                    }
                }
            } catch let error as BackupError {
                Self.fail(redactor.redact("backup failed: \(error)"), json: json)
                throw ExitCode(1)
            } catch let error as LockError {
                Self.fail(redactor.redact("\(error); no backup was taken"), json: json)
                throw ExitCode(1)
            } catch is CancellationError {
                Self.fail("backup interrupted; the next backup removes what this one stored", json: json)
                throw ExitCode(130)
            }
        }

        /// A backup changes nothing on the nodes; the record names the nodes that took part.
        static func record(_ nodes: [String]) -> OperationRecord {
            OperationRecord(
                result: .ok,
                nodes: nodes.map { AuditNode(name: $0, changed: 0, failed: 0, changes: []) },
                touched: nodes
            )
        }

        static func fail(_ message: String, json: Bool) {
            if json {
                Terminal.standardOutput.write(
                    (try? JSONLine.encode(.event("backup_summary", BackupSummaryJSON(ok: false, error: message)))) ?? ""
                )
            } else {
                Terminal.standardError.write(message)
            }
        }

        static func print(_ outcome: BackupRun.Outcome, json: Bool) {
            let manifest = outcome.manifest
            if json {
                var summary = BackupSummaryJSON(ok: true, error: nil)
                summary.id = manifest.id.text
                summary.bytes = manifest.storedBytes
                summary.seconds =
                    Double(outcome.elapsed.components.seconds)
                    + Double(outcome.elapsed.components.attoseconds) / 1e18
                summary.components = manifest.components.map {
                    .init(
                        component: $0.component.rawValue,
                        node: $0.node,
                        objects: $0.objects.count,
                        tables: $0.tables.count
                    )
                }
                summary.removed = outcome.retention.removed.map(\.id.text)
                summary.walRemoved = outcome.retention.obsoleteWAL.count
                Terminal.standardOutput.write((try? JSONLine.encode(.event("backup_summary", summary))) ?? "")
                return
            }
            let parts = manifest.components.map { "\($0.component.rawValue) on \($0.node)" }.joined(separator: ", ")
            var removed =
                outcome.retention.removed.isEmpty
                ? "" : ", retention removed \(outcome.retention.removed.map(\.id.text).joined(separator: " "))"
            if !outcome.retention.obsoleteWAL.isEmpty {
                removed += " and \(outcome.retention.obsoleteWAL.count) archived WAL files no kept backup needs"
            }
            Terminal.standardOutput.write(
                "backup \(manifest.id) ok: \(parts); \(ByteCount.text(manifest.storedBytes)) in \(manifest.objects.count) objects, stored in \(RunReporter.format(outcome.elapsed))\(removed)"
            )
        }

        static func dryRun(_ run: BackupRun, only: [BackupComponent], json: Bool) async throws {
            let components = ComponentJobs.components(in: run.inventory, only: only)
            let jobs = ComponentJobs.backups(components, inventory: run.inventory, folder: "")
            guard let node = jobs.first?.node else {
                throw BackupError("nothing to back up: no PostgreSQL, ClickHouse or K3s server is placed")
            }
            let plan = try await run.applyRetention(
                store: NodeStore(scripts: run.scripts, node: node, transport: run.transport),
                dryRun: true
            )
            if json {
                let value = BackupDryRunJSON(
                    components: jobs.map { "\($0.component.rawValue) on \($0.node.name)" },
                    kept: plan.kept.map { ["id": $0.id.text, "reason": $0.reason] },
                    removed: plan.removed.map { ["id": $0.id.text, "reason": $0.reason] }
                )
                Terminal.standardOutput.write((try? JSONLine.encode(.event("backup_dry_run", value))) ?? "")
                return
            }
            Terminal.standardOutput.write(
                "would back up: " + jobs.map { "\($0.component.rawValue) on \($0.node.name)" }.joined(separator: ", ")
            )
            for decision in plan.removed {
                Terminal.standardOutput.write("retention would remove \(decision.id): \(decision.reason)")
            }
            for decision in plan.kept {
                Terminal.standardOutput.write("retention would keep \(decision.id): \(decision.reason)")
            }
            for upload in plan.abortedUploads {
                Terminal.standardOutput.write("would abort the unfinished upload of \(upload.key)")
            }
            if !plan.obsoleteWAL.isEmpty {
                Terminal.standardOutput.write(
                    "retention would remove \(plan.obsoleteWAL.count) archived WAL files older than the oldest kept base backup"
                )
            }
        }
    }
}

struct BackupSummaryJSON: Encodable {
    struct Part: Encodable {
        var component: String
        var node: String
        var objects: Int
        var tables: Int
    }
    var ok: Bool
    var error: String?
    var id: String?
    var bytes: Int64?
    var seconds: Double?
    var components: [Part]?
    var removed: [String]?
    /// Archived WAL files removed by retention (point-in-time recovery).
    var walRemoved: Int?
}

struct BackupDryRunJSON: Encodable {
    var components: [String]
    var kept: [[String: String]]
    var removed: [[String: String]]
}
