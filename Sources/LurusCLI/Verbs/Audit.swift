import ArgumentParser
import Foundation
import LurusEngine
import LurusInventory
import LurusRemote

/// `lurusctl audit`: who changed the cluster, when, with what, and what changed.
struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the last records of the audit log: who ran what, when, and what it changed.",
        discussion: """
            Without --on, the log of this machine (.lurus/CLUSTER/audit.jsonl beside the inventory); with \
            --on NODE, the log on that node (/var/log/lurus/audit.jsonl), which holds every run that touched \
            it from any machine.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Read the log on this node instead of the local one.", valueName: "node"))
    var on: String?

    @Option(name: [.customShort("n"), .long], help: "How many of the most recent records to show.")
    var last = 20

    @Flag(help: "Print the records as JSON, one per line, as the log holds them.")
    var json = false

    @Flag(help: "Record the host key of a node seen for the first time (a changed key is still refused).")
    var trustNewHosts = false

    func validate() throws {
        guard self.last > 0 else { throw ValidationError("-n must be at least 1") }
    }

    func run() async throws {
        let logger = self.global.makeLogger()
        let inventory = try self.global.loadInventory(logger: logger)
        let entries: AuditEntries
        let source: String
        if let name = self.on {
            guard let node = inventory.node(named: name) else {
                let names = inventory.nodes.map(\.name).joined(separator: ", ")
                throw ValidationError("--on: no node named '\(name)' (the nodes are \(names))")
            }
            source = "\(node.name):\(AuditLog.path)"
            var settings = OpenSSHSession.Options()
            settings.trustNewHosts = self.trustNewHosts
            let options = settings
            do {
                entries = try await Interrupts.cancelling { [last] in
                    try await OpenSSHSession.with(inventory, options: options, logger: logger) { session in
                        try await AuditLog.read(on: node, transport: session, last: last)
                    }
                }
            } catch let error as ExitCode {
                throw error
            } catch {
                Terminal.standardError.write("\(error)")
                throw ExitCode(1)
            }
        } else {
            let state = StateDirectory(for: inventory)
            source = AuditLog.localPath(state: state)
            do {
                entries = try AuditLog.readLocal(state: state, last: self.last)
            } catch {
                Terminal.standardError.write("\(error)")
                throw ExitCode(1)
            }
        }
        if self.json {
            for record in entries.records {
                Terminal.standardOutput.write(String(decoding: try record.jsonLine(), as: UTF8.self))
            }
        } else if entries.records.isEmpty {
            Terminal.standardError.write("no audit records in \(source)")
        } else {
            Terminal.standardOutput.write(Self.table(entries.records))
        }
        if entries.skippedLines > 0 {
            Terminal.standardError.write(
                "warning: skipped \(entries.skippedLines) lines of \(source) that are not records"
            )
        }
    }

    /// TIME, USER@HOST, COMMAND, RESULT, CHANGES.
    static func table(_ records: [AuditRecord]) -> String {
        var columns = Columns("TIME", "USER@HOST", "COMMAND", "RESULT", "CHANGES")
        for record in records {
            var words = record.command
            if let first = words.first { words[0] = (first as NSString).lastPathComponent }
            columns.add(
                record.time,
                "\(record.user)@\(record.host)",
                words.map(Shell.quote).joined(separator: " "),
                record.result.rawValue,
                record.changeSummary.isEmpty ? "-" : record.changeSummary
            )
        }
        return columns.rendered
    }
}
