/// Collects the problems found while reading one inventory, and where each value was found.
///
/// Used by one synchronous load; never shared across tasks.
final class DiagnosticSink {
    private(set) var diagnostics: [InventoryDiagnostic] = []
    /// Where every value read from the file sits, by key path; the validator points at these.
    private(set) var locations: [InventoryKeyPath: SourceLocation] = [:]
    let file: String

    init(file: String) {
        self.file = file
    }

    func error(_ location: SourceLocation, _ path: InventoryKeyPath, _ message: String, hint: String = "") {
        self.diagnostics.append(InventoryDiagnostic(.error, at: location, path, message, hint: hint))
    }

    func warning(_ location: SourceLocation, _ path: InventoryKeyPath, _ message: String, hint: String = "") {
        self.diagnostics.append(InventoryDiagnostic(.warning, at: location, path, message, hint: hint))
    }

    func record(_ path: InventoryKeyPath, at location: SourceLocation) {
        self.locations[path] = location
    }

    func append(_ diagnostic: InventoryDiagnostic) {
        self.diagnostics.append(diagnostic)
    }

    var hasErrors: Bool { self.diagnostics.contains { $0.severity == .error } }
}
