import ArgumentParser
import Foundation
import LurusBackup
import LurusEngine

extension Backup {
    /// `lurusctl backup verify [ID]`.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-read a backup (the newest by default): every object re-hashed, every dump read whole.",
            discussion: """
                Runs on the nodes that made it: each segment is fetched and its SHA-256 compared with the \
                manifest's; PostgreSQL dumps are read whole by pg_restore; ClickHouse rows are read back and \
                counted and hashed against the manifest; the K3s datastore passes SQLite's integrity check. \
                Touches nothing live. Exits 0 when all of it checks out, 1 naming the first bad object \
                otherwise.
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var components: BackupComponentOption

        @Argument(help: ArgumentHelp("The backup's id (as backup list shows it).", valueName: "id"))
        var id: String?

        @Flag(help: "Print JSON objects, one per line.")
        var json = false

        func validate() throws {
            _ = try self.components.components
            _ = try BackupComponentOption.backupID(self.id)
        }

        func run() async throws {
            try await CheckCommand.run(
                self.global,
                id: self.id.flatMap(BackupID.init),
                only: try self.components.components,
                mode: .verify,
                json: self.json
            )
        }
    }
}

/// What `backup verify`, `restore --drill` and `restore` share: find the backup, check or restore it on
/// the nodes, report.
enum CheckCommand {
    enum Mode {
        case verify
        case drill
        /// Over the live databases, under the cluster lock.
        case restore(lockWait: Duration?)
        /// PostgreSQL recovered to a time, under the cluster lock.
        case pointInTime(lockWait: Duration?, target: Date)

        var verb: String {
            switch self {
            case .verify: "verify"
            case .drill: "drill"
            case .restore, .pointInTime: "restore"
            }
        }
    }

    static func run(
        _ global: GlobalOptions,
        id: BackupID?,
        only: [BackupComponent],
        mode: Mode,
        json: Bool,
        session given: BackupSession? = nil
    ) async throws {
        let logger = global.makeLogger()
        let session: BackupSession
        if let given { session = given } else { session = try await BackupSession.load(global, logger: logger) }
        let verb = mode.verb
        let clock = ContinuousClock()
        let start = clock.now
        let inventory = session.inventory
        let redactor = session.redactor
        let say: @Sendable (String) -> Void = { line in
            if json {
                Terminal.standardOutput.write((try? JSONLine.encode(.event("\(verb)_progress", ["line": line]))) ?? "")
            } else {
                Terminal.standardError.write(line)
            }
        }
        let result: (BackupManifest, [CheckRun.ComponentCheck])
        do {
            result = try await Interrupts.cancelling {
                try await session.with(logger: logger, segmentBytes: ComponentJobs.defaultSegmentBytes, say: say) {
                    run,
                    ssh in
                    let check = CheckRun(run)
                    switch mode {
                    case .verify, .drill:
                        let manifest = try await check.manifest(id)
                        return (manifest, try await check.check(manifest, drill: verb == "drill", only: only))
                    case .restore(let lockWait), .pointInTime(let lockWait, _):
                        let operation = ClusterOperation(
                            verb: "restore",
                            inventory: inventory,
                            transport: ssh,
                            lockWait: lockWait,
                            warn: { say(redactor.redact($0)) }
                        )
                        return try await operation.run(
                            events: { _ in },
                            prepare: { _ in () },
                            work: { _, _ in
                                let manifest: BackupManifest
                                let checks: [CheckRun.ComponentCheck]
                                if case .pointInTime(_, let target) = mode {
                                    manifest = try await check.base(for: target, id: id)
                                    say(
                                        "recovering PostgreSQL of \(inventory.cluster) to \(PointInTime.recoveryTarget(target)) from the base backup of \(manifest.id) and the archived WAL"
                                    )
                                    checks = try await RestoreRun(check).pointInTime(manifest, target: target)
                                } else {
                                    manifest = try await check.manifest(id)
                                    say(
                                        "restoring backup \(manifest.id) over the live databases of \(inventory.cluster)"
                                    )
                                    checks = try await RestoreRun(check).restore(manifest, only: only)
                                }
                                let nodes = Array(Set(checks.map(\.node))).sorted()
                                var change = "restore of \(manifest.id)"
                                if case .pointInTime(_, let target) = mode {
                                    change =
                                        "PostgreSQL recovered to \(PointInTime.recoveryTarget(target)) from \(manifest.id)"
                                }
                                let record = OperationRecord(
                                    result: checks.allSatisfy { $0.problem == nil } ? .ok : .failed,
                                    nodes: nodes.map {
                                        AuditNode(
                                            name: $0,
                                            changed: 1,
                                            failed: 0,
                                            changes: [change]
                                        )
                                    },
                                    touched: nodes.filter { inventory.node(named: $0) != nil }
                                )
                                return .init((manifest, checks), record: record)
                            }
                        )
                    }
                }
            }
        } catch let error as BackupError {
            Terminal.standardError.write(session.redactor.redact("\(verb) failed: \(error)"))
            throw ExitCode(1)
        } catch let error as LockError {
            Terminal.standardError.write(session.redactor.redact("\(error); nothing was restored"))
            throw ExitCode(1)
        } catch is CancellationError {
            Terminal.standardError.write("\(verb) interrupted")
            throw ExitCode(130)
        }
        let (manifest, checks) = result
        let elapsed = clock.now - start
        let failed = checks.filter { $0.problem != nil }
        if json {
            for check in checks {
                let line = CheckJSON(
                    backup: manifest.id.text,
                    component: check.component.rawValue,
                    node: check.node,
                    ok: check.problem == nil,
                    streams: check.streams,
                    tables: check.tables,
                    rows: check.rows,
                    seconds: Double(check.elapsed.components.seconds) + Double(check.elapsed.components.attoseconds)
                        / 1e18,
                    problem: check.problem.map(session.redactor.redact),
                    notes: check.notes
                )
                Terminal.standardOutput.write((try? JSONLine.encode(.event("\(verb)_component", line))) ?? "")
            }
        } else {
            for check in checks {
                let what =
                    switch mode {
                    case .verify: "\(check.streams) streams read back"
                    case .pointInTime: "base backup and WAL replayed"
                    case .drill, .restore: "\(check.tables) tables, \(check.rows) rows matched"
                    }
                let verdict = check.problem.map { "FAILED: \(session.redactor.redact($0))" } ?? "ok (\(what))"
                Terminal.standardOutput.write(
                    "  \(check.component.rawValue) on \(check.node): \(verdict) in \(RunReporter.format(check.elapsed))"
                )
                for note in check.notes { Terminal.standardOutput.write("    \(note)") }
            }
            let words =
                ["verify": "verify of backup", "drill": "restore drill of backup", "restore": "restore of backup"][verb]
                ?? verb
            Terminal.standardOutput.write(
                failed.isEmpty
                    ? "\(words) \(manifest.id) ok: \(checks.count) component\(checks.count == 1 ? "" : "s") in \(RunReporter.format(elapsed))"
                    : "\(words) \(manifest.id) FAILED: \(failed.map(\.component.rawValue).joined(separator: ", "))"
            )
        }
        if checks.isEmpty {
            Terminal.standardError.write("backup \(manifest.id) has none of the components asked for")
            throw ExitCode(1)
        }
        if !failed.isEmpty { throw ExitCode(1) }
    }

    struct CheckJSON: Encodable {
        var backup: String
        var component: String
        var node: String
        var ok: Bool
        var streams: Int
        var tables: Int
        var rows: Int64
        var seconds: Double
        var problem: String?
        var notes: [String]
    }
}
