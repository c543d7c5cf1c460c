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

    @Flag(help: "Restore without asking (for scripts); without it a terminal asks for the cluster's name.")
    var yes = false

    @Flag(help: "Print JSON objects, one per line.")
    var json = false

    @OptionGroup var lockWait: LockWaitOption

    func validate() throws {
        _ = try self.components.components
        _ = try BackupComponentOption.backupID(self.id)
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
        try await CheckCommand.run(
            self.global,
            id: id,
            only: only,
            mode: .restore(lockWait: self.lockWait.duration),
            json: self.json,
            session: session
        )
    }
}
