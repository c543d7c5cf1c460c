import Foundation
import Yams

/// Reads and checks an inventory file. The only way to get an `Inventory`.
public enum InventoryLoader {
    /// A checked inventory and the warnings found on the way.
    public struct Loaded: Sendable {
        public var inventory: Inventory
        public var warnings: [InventoryDiagnostic]
    }

    /// Reads `path` (as the user wrote it; messages name it that way) and checks it.
    ///
    /// Throws `InventoryError.unreadable` when the file cannot be read and `.invalid` with every problem
    /// found when it has errors.
    public static func load(
        path: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(InventoryError) -> Loaded {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw .unreadable(
                path: path,
                reason: "no such file",
                hint: "pass -i PATH or set LURUS_INVENTORY; examples are in inventory/"
            )
        }
        guard !isDirectory.boolValue else {
            throw .unreadable(path: path, reason: "is a directory", hint: "name the YAML file, e.g. \(path)/lurus.yaml")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadable(
                path: path,
                reason: "cannot be read: \(error.localizedDescription)",
                hint: "check its permissions"
            )
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadable(path: path, reason: "is not UTF-8 text", hint: "save it as UTF-8")
        }
        let resolver = PathResolver(
            inventoryDirectory: url.deletingLastPathComponent().standardizedFileURL.path,
            homeDirectory: environment["HOME"] ?? NSHomeDirectory()
        )
        let (inventory, diagnostics) = self.check(text: text, file: path, paths: resolver)
        guard let inventory, !diagnostics.contains(where: { $0.severity == .error }) else {
            throw .invalid(path: path, diagnostics: diagnostics)
        }
        return Loaded(inventory: inventory, warnings: diagnostics)
    }

    /// Checks inventory text; returns the inventory (nil when unreadable) and every diagnostic in file order.
    public static func check(text: String, file: String, paths: PathResolver) -> (Inventory?, [InventoryDiagnostic]) {
        let (root, syntaxErrors) = YAMLComposer.compose(text, file: file)
        guard syntaxErrors.isEmpty else { return (nil, syntaxErrors) }
        let sink = DiagnosticSink(file: file)
        guard let root else {
            sink.error(
                SourceLocation(file: file, line: 1, column: 1),
                .root,
                "the inventory is empty",
                hint: "start from inventory/lab.yaml or see doc/inventory.md"
            )
            return (nil, sink.diagnostics)
        }
        let decoder = InventoryDecoder(sink: sink, paths: paths)
        let inventory = decoder.decode(YAMLValue(node: root, path: .root, file: file))
        if let inventory {
            InventoryValidator(sink: sink).validate(inventory)
        }
        let ordered = sink.diagnostics.enumerated().sorted { lhs, rhs in
            (lhs.element.location, lhs.offset) < (rhs.element.location, rhs.offset)
        }.map(\.element)
        return (inventory, Self.unique(ordered))
    }

    private static func unique(_ diagnostics: [InventoryDiagnostic]) -> [InventoryDiagnostic] {
        var seen = Set<InventoryDiagnostic>()
        return diagnostics.filter { seen.insert($0).inserted }
    }
}
