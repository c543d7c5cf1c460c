/// Why an inventory could not be used. Every case says what failed and how to fix it.
public enum InventoryError: Error, Sendable, CustomStringConvertible {
    /// The file could not be read (missing, unreadable, not UTF-8).
    case unreadable(path: String, reason: String, hint: String)
    /// The file was read; these problems were found. All of them, in file order.
    case invalid(path: String, diagnostics: [InventoryDiagnostic])

    public var description: String {
        switch self {
        case .unreadable(let path, let reason, let hint):
            return "\(path): \(reason) (\(hint))"
        case .invalid(let path, let diagnostics):
            let errors = diagnostics.filter { $0.severity == .error }.count
            let lines = diagnostics.map(\.description)
            let noun = errors == 1 ? "error" : "errors"
            return (lines + ["\(path): \(errors) \(noun); nothing was changed on any node"]).joined(separator: "\n")
        }
    }
}
