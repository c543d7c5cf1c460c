import ArgumentParser
import Foundation
import LurusBackup

/// `lurusctl restore --drill [ID]`.
struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Prove a backup restores: restore it into scratch databases and compare row for row.",
        discussion: """
            With --drill (required: restoring over the live databases is not built yet), each PostgreSQL \
            database is restored into lurus_drill_NAME and each ClickHouse table into lurus_drill_DATABASE on \
            the nodes that made the backup; every table's row count and content hash are compared with the \
            manifest's, the time it took is reported, and the scratch copies are dropped. It touches nothing \
            live. Exits 0 when every table matches, 1 otherwise.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var components: BackupComponentOption

    @Argument(help: ArgumentHelp("The backup's id (the newest complete one by default).", valueName: "id"))
    var id: String?

    @Flag(help: "Restore into scratch databases, compare with the manifest, and drop them.")
    var drill = false

    @Flag(help: "Print JSON objects, one per line.")
    var json = false

    func validate() throws {
        _ = try self.components.components
        if let id = self.id, BackupID(id) == nil {
            throw ValidationError("'\(id)' is not a backup id: YYYYMMDDTHHMMSSZ, as lurusctl backup list shows")
        }
        guard self.drill else {
            throw ValidationError("restore needs --drill: restoring over the live databases is not built yet")
        }
    }

    func run() async throws {
        try await CheckCommand.run(
            self.global,
            id: self.id.flatMap(BackupID.init),
            only: try self.components.components,
            drill: true,
            json: self.json
        )
    }
}
