import ArgumentParser
import Foundation
import LurusInventory
import LurusRemote

/// `lurusctl facts`: what each node is, read in one round trip per node.
struct Facts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show each node's OS, architecture, kernel, CPUs, memory, disks, addresses, init and container.",
        discussion: "One round trip per node, all nodes at once. Exits 1 if any node could not be read."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var remote: RemoteOptions

    @Flag(help: "Print one JSON object per node (one per line).")
    var json = false

    func run() async throws {
        let logger = self.global.makeLogger()
        let inventory = try self.global.loadInventory(logger: logger)
        let nodes = try self.remote.selectNodes(in: inventory)
        let results = try await Interrupts.cancelling { [options = self.remote.sessionOptions] in
            try await OpenSSHSession.with(inventory, options: options, logger: logger) { session in
                await NodeFanOut.results(nodes) { node in try await session.facts(of: node) }
            }
        }
        let report = FactsReport(results: results)
        if self.json {
            for line in try report.jsonLines() { Terminal.standardOutput.write(line) }
        } else {
            Terminal.standardOutput.write(report.table)
            for error in report.errors { Terminal.standardError.write(error.description) }
        }
        if !report.errors.isEmpty { throw ExitCode(1) }
    }
}
