import ArgumentParser
import LurusInventory
import LurusRemote

/// `lurusctl ssh NODE`: an interactive shell on a node, reached exactly as lurusctl reaches it.
struct SSH: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ssh",
        abstract: "Open a shell on a node (jump host, key and known_hosts from the inventory).",
        discussion: "With a command after --, run it instead of a shell. Exits with ssh's exit status."
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Record the node's host key if it is seen for the first time (a changed key is still refused).")
    var trustNewHosts = false

    @Argument(help: "The node to connect to.")
    var node: String

    @Argument(parsing: .postTerminator, help: "A command to run instead of a shell.")
    var command: [String] = []

    func run() async throws {
        let logger = self.global.makeLogger()
        let inventory = try self.global.loadInventory(logger: logger)
        guard let target = inventory.node(named: self.node) else {
            let names = inventory.nodes.map(\.name)
            let suggestion = Suggestion.closest(to: self.node, among: names).map { "did you mean '\($0)'? " } ?? ""
            throw ValidationError("no node '\(self.node)' (\(suggestion)nodes are \(names.joined(separator: ", ")))")
        }
        var options = OpenSSHSession.Options()
        options.trustNewHosts = self.trustNewHosts
        let command = self.command
        let status: Int32
        do {
            status = try await OpenSSHSession.with(inventory, options: options, logger: logger) { session in
                try await session.interactive(on: target, command: command)
            }
        } catch let error as RemoteError {
            Terminal.standardError.write(error.description)
            throw ExitCode(255)
        }
        if status != 0 { throw ExitCode(status) }
    }
}
