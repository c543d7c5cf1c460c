/// One problem found in an inventory: where it is, what is wrong, and what would fix it.
///
/// Its description is the line a person reads: `FILE:LINE:COLUMN: KEY.PATH: what is wrong (what would fix it)`.
public struct InventoryDiagnostic: Sendable, Hashable, Encodable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable, Codable {
        case error
        case warning
    }

    public var severity: Severity
    public var location: SourceLocation
    public var keyPath: InventoryKeyPath
    public var message: String
    /// What would fix it; empty when there is nothing useful to add.
    public var hint: String

    public init(
        _ severity: Severity = .error,
        at location: SourceLocation,
        _ keyPath: InventoryKeyPath,
        _ message: String,
        hint: String = ""
    ) {
        self.severity = severity
        self.location = location
        self.keyPath = keyPath
        self.message = message
        self.hint = hint
    }

    public var description: String {
        let prefix = self.severity == .warning ? "warning: " : ""
        let fix = self.hint.isEmpty ? "" : " (\(self.hint))"
        let path = self.keyPath.elements.isEmpty ? "" : "\(self.keyPath): "
        return "\(self.location): \(prefix)\(path)\(self.message)\(fix)"
    }

    enum CodingKeys: String, CodingKey {
        case severity, file, line, column, path, message, hint
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.severity, forKey: .severity)
        try container.encode(self.location.file, forKey: .file)
        try container.encode(self.location.line, forKey: .line)
        try container.encode(self.location.column, forKey: .column)
        try container.encode(self.keyPath.description, forKey: .path)
        try container.encode(self.message, forKey: .message)
        try container.encode(self.hint, forKey: .hint)
    }
}
