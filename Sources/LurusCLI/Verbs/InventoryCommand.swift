import ArgumentParser
import LurusInventory

/// `lurusctl inventory`: print the resolved inventory.
struct InventoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inventory",
        abstract: "Print the resolved inventory: nodes, addresses, SSH, components, labels, taints, ports.",
        discussion: "Defaults and per-node overrides are applied, paths are absolute. Connects nowhere."
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print the inventory as JSON on standard output.")
    var json = false

    func run() async throws {
        let inventory = try self.global.loadInventory(logger: self.global.makeLogger())
        let report = InventoryReport(inventory)
        if self.json {
            try Terminal.standardOutput.writeJSON(report)
        } else {
            Terminal.standardOutput.write(report.text)
        }
    }
}
