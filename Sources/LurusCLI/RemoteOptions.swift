import ArgumentParser
import LurusInventory
import LurusRemote

/// Options of the verbs that connect to nodes.
struct RemoteOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Nodes to act on: node or component names, comma-separated or repeated (default: every node).",
            valueName: "nodes"
        )
    )
    var on: [String] = []

    @Flag(help: "Record the host key of a node seen for the first time (a changed key is still refused).")
    var trustNewHosts = false

    var sessionOptions: OpenSSHSession.Options {
        var options = OpenSSHSession.Options()
        options.trustNewHosts = self.trustNewHosts
        return options
    }

    /// The nodes `--on` names, or a usage error naming what is wrong.
    func selectNodes(in inventory: Inventory) throws -> [Node] {
        switch inventory.nodes(selectedBy: self.on) {
        case .success(let nodes): return nodes
        case .failure(let problem): throw ValidationError("--on: \(problem.message) (\(problem.hint))")
        }
    }
}
