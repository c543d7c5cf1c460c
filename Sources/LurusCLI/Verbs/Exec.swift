import ArgumentParser
import Foundation
import LurusInventory
import LurusRemote

/// `lurusctl exec`: run a command on some or all nodes at once.
struct Exec: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a command on the selected nodes (all by default), in parallel.",
        discussion: """
            The command is run by each node's shell, as with ssh, so pipes and globs work: quote it for \
            this shell, e.g. lurusctl exec --on postgres -- 'df -h / | tail -1'. Output is prefixed by node \
            name on a terminal and grouped per node otherwise. Exits 1 if any node failed or was unreachable.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var remote: RemoteOptions

    @Flag(help: "Print one JSON object per node (one per line) instead of text.")
    var json = false

    @Option(help: ArgumentHelp("Kill the command on the node after this long (e.g. 30s, 5m).", valueName: "duration"))
    var timeout = "60s"

    @Argument(parsing: .captureForPassthrough, help: "The command, after --.")
    var command: [String] = []

    func validate() throws {
        if self.command.first == "--" ? self.command.count < 2 : self.command.isEmpty {
            throw ValidationError("name the command to run after --, e.g. lurusctl exec -- uptime")
        }
        guard InventoryDuration.parse(self.timeout) != nil else {
            throw ValidationError("--timeout '\(self.timeout)' is not a duration: write e.g. 30s or 5m")
        }
    }

    func run() async throws {
        let logger = self.global.makeLogger()
        let inventory = try self.global.loadInventory(logger: logger)
        let nodes = try self.remote.selectNodes(in: inventory)
        let words = self.command.first == "--" ? Array(self.command.dropFirst()) : self.command
        let timeout = InventoryDuration.parse(self.timeout)!
        let command = RemoteCommand(shell: words.joined(separator: " "), timeout: .milliseconds(timeout.milliseconds))
        let options = self.remote.sessionOptions
        let json = self.json
        // On a terminal, lines appear as they come; otherwise each node's output is printed whole at the end.
        let live = !json && isatty(STDOUT_FILENO) == 1 ? LivePrinter(nodeNames: nodes.map(\.name)) : nil
        let start = ContinuousClock.now
        let outcomes = try await Interrupts.cancelling {
            try await OpenSSHSession.with(inventory, options: options, logger: logger) { session in
                await NodeFanOut.results(nodes) { node in
                    defer { live?.finish(node: node.name) }
                    return try await session.run(command, on: node, streaming: live.map { $0.receive })
                }
            }
        }
        let report = ExecReport(outcomes: outcomes, elapsed: ContinuousClock.now - start)
        if json {
            for line in try report.jsonLines() { Terminal.standardOutput.write(line) }
        } else {
            report.printText(streamed: live != nil)
        }
        if !report.allSucceeded { throw ExitCode(1) }
    }
}
