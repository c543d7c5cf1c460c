import ArgumentParser
import Foundation
import LurusBackup
import LurusEngine
import LurusRemote

/// `lurusctl restore [ID]` and `lurusctl restore --drill [ID]`.
struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore a backup (the newest by default) over the live databases, or prove it with --drill.",
        discussion: """
            A restore replaces the live PostgreSQL databases and ClickHouse tables with the backup's, under \
            the cluster lock with an audit record. It asks you to type the cluster's name (on a terminal) or \
            needs --yes. The services that write (billing and provider for PostgreSQL, the log service for \
            ClickHouse) are stopped first and started again after. Roles missing on the server are created \
            as the backup had them; roles present keep what lurusctl up gave them. Each database and table is \
            restored into a copy beside the live one and checked row for row against the manifest before it \
            replaces it, so a failure leaves the live data as it was. Rows written after the backup are \
            lost. K3s state is restored by hand (doc/operations.md).

            With --to-time (backup.point_in_time) PostgreSQL is recovered to that time: the newest base \
            backup finished by then is unpacked beside the live data directory, the server is stopped, the \
            directories swapped and the archived WAL replayed up to the time; the data directory from \
            before is kept beside it. A failure puts it back.

            With --drill it touches nothing live: each PostgreSQL database is restored into \
            lurus_drill_NAME and each ClickHouse table into lurus_drill_DATABASE on the nodes that made the \
            backup, compared with the manifest, timed and dropped. Exits 0 when every table matches, 1 \
            otherwise, 130 when interrupted.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var components: BackupComponentOption

    @Argument(help: ArgumentHelp("The backup's id (the newest complete one by default).", valueName: "id"))
    var id: String?

    @Flag(help: "Restore into scratch databases, compare with the manifest, and drop them.")
    var drill = false

    @Option(
        name: .customLong("to-time"),
        help: ArgumentHelp(
            "Recover PostgreSQL to this time (ISO 8601 with a zone, e.g. 2026-12-07T06:30:00Z) from a base backup and the archived WAL (backup.point_in_time).",
            valueName: "time"
        )
    )
    var toTime: String?

    @Flag(help: "Restore without asking (for scripts); without it a terminal asks for the cluster's name.")
    var yes = false

    @Flag(help: "Print JSON objects, one per line.")
    var json = false

    @OptionGroup var lockWait: LockWaitOption

    func validate() throws {
        let only = try self.components.components
        _ = try BackupComponentOption.backupID(self.id)
        if let text = self.toTime {
            guard let target = PointInTime.parse(text) else {
                throw ValidationError(
                    "--to-time '\(text)' is not a time: write ISO 8601 with a zone, e.g. 2026-12-07T06:30:00Z"
                )
            }
            guard target <= Date() else {
                throw ValidationError("--to-time '\(text)' is in the future: the WAL cannot reach it")
            }
            guard !self.drill else { throw ValidationError("--to-time and --drill do not go together") }
            guard only.allSatisfy({ $0 == .postgres }) else {
                throw ValidationError("--to-time recovers PostgreSQL only: leave out --only or write --only postgres")
            }
        }
    }

    func run() async throws {
        let id = self.id.flatMap(BackupID.init)
        let only = try self.components.components
        if self.drill {
            try await CheckCommand.run(self.global, id: id, only: only, mode: .drill, json: self.json)
            return
        }
        let logger = self.global.makeLogger()
        let session = try await BackupSession.load(self.global, logger: logger)
        let cluster = session.inventory.cluster
        if !self.yes {
            guard isatty(STDIN_FILENO) == 1, isatty(STDERR_FILENO) == 1 else {
                Terminal.standardError.write(
                    "restore replaces the live databases of cluster \(cluster): run it with --yes, or on a terminal and type the cluster's name; nothing was done"
                )
                throw ExitCode(1)
            }
            Terminal.standardError.write(
                bytes: Array("Restore over the live databases of \(cluster)? Type the cluster's name: ".utf8)
            )
            guard readLine()?.trimmingCharacters(in: .whitespaces) == cluster else {
                Terminal.standardError.write("not confirmed; nothing was done")
                throw ExitCode(1)
            }
        }
        let mode: CheckCommand.Mode =
            if let target = self.toTime.flatMap(PointInTime.parse) {
                .pointInTime(lockWait: self.lockWait.duration, target: target)
            } else {
                .restore(lockWait: self.lockWait.duration)
            }
        try await CheckCommand.run(
            self.global,
            id: id,
            only: only,
            mode: mode,
            json: self.json,
            session: session
        )
    }
}
