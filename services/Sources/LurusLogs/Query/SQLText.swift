/// Literals for ClickHouse SQL: every value the API or the writer puts into a statement goes through here.
public enum SQLText {
    /// `'text'` with backslash and quote escaped (ClickHouse string literal rules).
    public static func quoted(_ text: String) -> String {
        var out = "'"
        out.reserveCapacity(text.utf8.count + 2)
        for character in text.unicodeScalars {
            switch character {
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\0": out += "\\0"
            default: out.unicodeScalars.append(character)
            }
        }
        return out + "'"
    }

    /// `('a', 'b', …)`.
    public static func list(_ texts: some Sequence<String>) -> String {
        "(" + texts.map(Self.quoted).joined(separator: ", ") + ")"
    }
}
