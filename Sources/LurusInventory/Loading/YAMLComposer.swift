import Foundation
import Yams

/// Composes an inventory file into a Yams node tree, turning YAML errors into located diagnostics.
///
/// Yams refuses a mapping with a duplicated key and names only the first occurrence. To still report every
/// other problem in the same run, the second occurrence is renamed in the text (see `DuplicateKeys`) and
/// the document composed again; the reader reports the renamed key at its own position.
enum YAMLComposer {
    static func compose(_ text: String, file: String) -> (root: Yams.Node?, diagnostics: [InventoryDiagnostic]) {
        var text = text
        var renamed = 0
        while true {
            do {
                return (try Yams.compose(yaml: text), [])
            } catch let error as YamlError {
                if case .duplicatedKeysInMapping(let keys, let context) = error, renamed < 100,
                    let key = keys.sorted().first,
                    let rewritten = DuplicateKeys.renameSecondOccurrence(
                        of: key,
                        firstAt: context.mark,
                        in: text,
                        serial: renamed
                    )
                {
                    text = rewritten
                    renamed += 1
                    continue
                }
                return (nil, [self.diagnostic(for: error, file: file, text: text)])
            } catch {
                let location = SourceLocation(file: file, line: 1, column: 1)
                return (nil, [InventoryDiagnostic(at: location, .root, "cannot read YAML: \(error)")])
            }
        }
    }

    private static func diagnostic(for error: YamlError, file: String, text: String) -> InventoryDiagnostic {
        func at(_ mark: Mark) -> SourceLocation { SourceLocation(file: file, line: mark.line, column: mark.column) }
        let syntaxHint = "check the indentation and quoting on this line and the one before"
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            if problem.hasPrefix("but found another document") {
                return InventoryDiagnostic(
                    at: at(mark),
                    .root,
                    "a second YAML document starts here; the inventory must be one document",
                    hint: "remove this '---' and what follows, or merge it into the first document"
                )
            }
            if Self.character(at: mark, in: text) == "\t" {
                return InventoryDiagnostic(
                    at: at(mark),
                    .root,
                    "YAML syntax error: a tab character",
                    hint: "YAML indents with spaces only; replace the tabs"
                )
            }
            // libyaml says "while parsing a block mapping"; say which one and where it starts.
            let within =
                context.map { context in
                    let what = context.text.replacingOccurrences(of: "while parsing ", with: "")
                        .replacingOccurrences(of: "while scanning ", with: "")
                    return " in \(what) starting at \(context.mark.line):\(context.mark.column)"
                } ?? ""
            return InventoryDiagnostic(at: at(mark), .root, "YAML syntax error: \(problem)\(within)", hint: syntaxHint)
        case .duplicatedKeysInMapping(let keys, let context):
            let names = keys.sorted().map { "'\($0)'" }.joined(separator: ", ")
            return InventoryDiagnostic(
                at: at(context.mark),
                .root,
                "\(names) appears more than once in one mapping",
                hint: "keep one of them; YAML keeps no duplicates"
            )
        case .reader(let problem, let offset, _, _):
            let (line, column) = offset.map { Self.lineAndColumn(ofCharacterOffset: $0, in: text) } ?? (1, 1)
            return InventoryDiagnostic(
                at: SourceLocation(file: file, line: line, column: column),
                .root,
                "unreadable character: \(problem)",
                hint: "save the file as UTF-8 without control characters"
            )
        default:
            return InventoryDiagnostic(at: SourceLocation(file: file, line: 1, column: 1), .root, "\(error)")
        }
    }

    private static func character(at mark: Mark, in text: String) -> Character? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard mark.line >= 1, mark.line <= lines.count else { return nil }
        let scalars = Array(lines[mark.line - 1].unicodeScalars)
        guard mark.column >= 1, mark.column <= scalars.count else { return nil }
        return Character(scalars[mark.column - 1])
    }

    static func lineAndColumn(ofCharacterOffset offset: Int, in text: String) -> (Int, Int) {
        var line = 1
        var column = 1
        for character in text.prefix(offset) {
            if character == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }
}

/// Finds and renames the repeated occurrence of a duplicated block-mapping key, so composing can go on.
enum DuplicateKeys {
    private static let marker = "lurusctl-duplicate-key-"

    /// The key as written, when `key` is a renamed duplicate.
    static func originalKey(of key: String) -> String? {
        guard key.hasPrefix(marker) else { return nil }
        let rest = key.dropFirst(marker.count)
        guard let dash = rest.firstIndex(of: "-") else { return nil }
        return String(rest[rest.index(after: dash)...])
    }

    /// Looks below the first occurrence for the same key at the same column of the same block mapping.
    ///
    /// Hand-written: libyaml reports duplicates only after the whole mapping is composed, without positions.
    static func renameSecondOccurrence(of key: String, firstAt mark: Mark, in text: String, serial: Int) -> String? {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let indent = mark.column - 1
        guard mark.line >= 1, mark.line <= lines.count else { return nil }
        for index in mark.line..<lines.count {
            let scalars = Array(lines[index].unicodeScalars)
            let content = scalars.drop { $0 == " " }
            if content.isEmpty || content.first == "#" { continue }
            let leading = scalars.count - content.count
            if leading < indent { return nil }  // the mapping has ended
            guard leading == indent else { continue }
            var rest = String(String.UnicodeScalarView(content))
            var quote = ""
            if let first = rest.first, first == "\"" || first == "'" {
                quote = String(first)
                rest.removeFirst()
            }
            guard rest.hasPrefix(key + quote) else { continue }
            let after = rest.dropFirst(key.count + quote.count).drop { $0 == " " }
            guard after.first == ":" else { continue }
            let prefix = String(String.UnicodeScalarView(scalars[0..<leading]))
            lines[index] = prefix + quote + "\(marker)\(serial)-" + rest
            return lines.joined(separator: "\n")
        }
        return nil
    }
}
