import Yams

/// A YAML node together with where it is: its key path and its position in the file.
struct YAMLValue {
    let node: Yams.Node
    let path: InventoryKeyPath
    let location: SourceLocation

    init(node: Yams.Node, path: InventoryKeyPath, file: String) {
        self.node = node
        self.path = path
        let mark = node.mark
        self.location = SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    /// What kind of YAML value this is, as a person would say it.
    var kindDescription: String {
        switch self.node {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        case .scalar(let scalar):
            if self.isNull { "nothing" } else { "'\(scalar.string)'" }
        }
    }

    /// True for an empty value, `~` or `null` written without quotes.
    var isNull: Bool {
        guard case .scalar(let scalar) = self.node else { return false }
        return scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// The text of a scalar, or nil for mappings, lists and null.
    var scalarText: String? {
        guard case .scalar(let scalar) = self.node, !self.isNull else { return nil }
        return scalar.string
    }
}
