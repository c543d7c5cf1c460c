import ArgumentParser
import Foundation
import Logging
import LurusInventory

/// Options every verb takes.
public struct GlobalOptions: ParsableArguments {
    /// The default inventory, relative to the working directory.
    public static let defaultInventory = "inventory/lurus.yaml"

    @Option(
        name: [.short, .long],
        help: ArgumentHelp(
            "The inventory file (default: $LURUS_INVENTORY, else \(defaultInventory)).",
            valueName: "path"
        )
    )
    var inventory: String?

    @Flag(name: [.short, .long], help: "Log what lurusctl does to standard error.")
    var verbose = false

    public init() {}

    /// The inventory path: the flag, else `LURUS_INVENTORY`, else the default.
    var inventoryPath: String {
        if let inventory { return inventory }
        if let fromEnvironment = ProcessInfo.processInfo.environment["LURUS_INVENTORY"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return Self.defaultInventory
    }

    /// The logger verbs pass down; info and below go to standard error only with `--verbose`.
    func makeLogger() -> Logger {
        var logger = Logger(label: "lurusctl", factory: StreamLogHandler.standardError(label:))
        logger.logLevel = self.verbose ? .debug : .warning
        return logger
    }

    /// Loads the inventory, printing warnings, or prints every problem and exits 65 (66 when unreadable).
    func loadInventory(logger: Logger) throws -> Inventory {
        let path = self.inventoryPath
        logger.debug("loading inventory", metadata: ["path": "\(path)"])
        do {
            let loaded = try InventoryLoader.load(path: path)
            for warning in loaded.warnings { Terminal.standardError.write(warning.description) }
            return loaded.inventory
        } catch {
            Terminal.standardError.write(error.description)
            throw ExitCode(error.exitCode)
        }
    }
}

extension InventoryError {
    /// 66 when the file cannot be read (EX_NOINPUT), 65 when it has errors (EX_DATAERR).
    var exitCode: Int32 {
        switch self {
        case .unreadable: 66
        case .invalid: 65
        }
    }
}
