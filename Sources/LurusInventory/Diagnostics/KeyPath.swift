/// The path of a value inside the inventory document, as a person would point at it:
/// `nodes.brain.ssh.proxy_jump`, `nodes.heart.taints[0]`, `nodes.lab.labels["lurus.cn/local"]`.
public struct InventoryKeyPath: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Element: Sendable, Hashable, Codable {
        case key(String)
        case index(Int)
    }

    public var elements: [Element]

    public init(_ elements: [Element] = []) {
        self.elements = elements
    }

    /// The path of the document's root.
    public static let root = InventoryKeyPath()

    public func appending(_ key: String) -> InventoryKeyPath {
        InventoryKeyPath(self.elements + [.key(key)])
    }

    public func appending(index: Int) -> InventoryKeyPath {
        InventoryKeyPath(self.elements + [.index(index)])
    }

    public var description: String {
        if self.elements.isEmpty { return "(document)" }
        var text = ""
        for element in self.elements {
            switch element {
            case .key(let key) where Self.isPlain(key):
                text += text.isEmpty ? key : ".\(key)"
            case .key(let key):
                text += "[\"\(key)\"]"
            case .index(let index):
                text += "[\(index)]"
            }
        }
        return text
    }

    /// Keys made of letters, digits, `_` and `-` print bare; others (label keys with dots and slashes) in brackets.
    private static func isPlain(_ key: String) -> Bool {
        !key.isEmpty
            && key.unicodeScalars.allSatisfy { scalar in
                ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                    || scalar == "_" || scalar == "-"
            }
    }
}
