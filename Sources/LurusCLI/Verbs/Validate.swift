import ArgumentParser
import LurusInventory

/// `lurusctl validate`: load and check the inventory without connecting anywhere.
struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the inventory without connecting anywhere.",
        discussion: """
            Prints every problem at once as FILE:LINE:COLUMN: KEY.PATH: problem (fix), then exits 65. \
            Exits 0 when the inventory is valid (warnings are printed but do not fail).
            """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print the result as JSON on standard output.")
    var json = false

    func run() async throws {
        let path = self.global.inventoryPath
        let logger = self.global.makeLogger()
        logger.debug("validating inventory", metadata: ["path": "\(path)"])
        let result = ValidationResult(path: path)
        if self.json {
            try Terminal.standardOutput.writeJSON(result)
        } else {
            result.print()
        }
        if let exitCode = result.exitCode { throw ExitCode(exitCode) }
    }
}

/// What `validate` found, for people and as JSON.
private struct ValidationResult: Encodable {
    var file: String
    var valid: Bool
    var summary: String
    var diagnostics: [InventoryDiagnostic]
    var unreadable: String?
    private var error: InventoryError?

    enum CodingKeys: String, CodingKey {
        case file, valid, summary, diagnostics, unreadable
    }

    init(path: String) {
        self.file = path
        do {
            let loaded = try InventoryLoader.load(path: path)
            let inventory = loaded.inventory
            self.valid = true
            self.diagnostics = loaded.warnings
            let nodes = inventory.nodes.count
            self.summary =
                "\(path): valid: cluster \(inventory.cluster), \(nodes) node\(nodes == 1 ? "" : "s"), mesh \(inventory.mesh.kind), runtime \(inventory.runtime.rawValue)"
        } catch {
            self.valid = false
            self.error = error
            switch error {
            case .invalid(_, let diagnostics):
                self.diagnostics = diagnostics
                let errors = diagnostics.filter { $0.severity == .error }.count
                self.summary = "\(path): \(errors) error\(errors == 1 ? "" : "s"); nothing was changed on any node"
            case .unreadable:
                self.diagnostics = []
                self.unreadable = error.description
                self.summary = error.description
            }
        }
    }

    var exitCode: Int32? { self.error?.exitCode }

    func print() {
        guard self.valid else {
            Terminal.standardError.write(self.error!.description)
            return
        }
        for warning in self.diagnostics { Terminal.standardError.write(warning.description) }
        Terminal.standardOutput.write(self.summary)
    }
}
