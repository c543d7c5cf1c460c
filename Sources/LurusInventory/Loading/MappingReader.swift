import Yams

/// Reads one YAML mapping of the inventory: typed values by key, each checked and located, and at the end
/// every key that was not expected reported with a "did you mean".
///
/// Every accessor reports a wrong type or a bad value to the sink and returns nil, so reading goes on and
/// all problems of a file are found in one pass.
final class MappingReader {
    let value: YAMLValue
    let sink: DiagnosticSink
    private(set) var entries: [(key: String, keyLocation: SourceLocation, value: YAMLValue)] = []
    private var read: Set<String> = []

    var path: InventoryKeyPath { self.value.path }
    var location: SourceLocation { self.value.location }

    /// Reads `value` as a mapping; reports and returns nil when it is something else.
    init?(_ value: YAMLValue, sink: DiagnosticSink, expected: String) {
        guard case .mapping(let mapping) = value.node else {
            sink.error(value.location, value.path, "expected \(expected), found \(value.kindDescription)")
            return nil
        }
        self.value = value
        self.sink = sink
        for (keyNode, valueNode) in mapping {
            let keyValue = YAMLValue(node: keyNode, path: value.path, file: sink.file)
            guard let key = keyValue.scalarText else {
                sink.error(
                    keyValue.location,
                    value.path,
                    "a key must be a plain word, found \(keyValue.kindDescription)"
                )
                continue
            }
            if let original = DuplicateKeys.originalKey(of: key) {
                let first = self.entries.first { $0.key == original }.map { ", first at line \($0.keyLocation.line)" }
                sink.error(
                    keyValue.location,
                    value.path.appending(original),
                    "'\(original)' is written twice in this mapping\(first ?? "")",
                    hint: "keep one of them: YAML mappings cannot repeat a key"
                )
                continue
            }
            let entryPath = value.path.appending(key)
            let entryValue = YAMLValue(node: valueNode, path: entryPath, file: sink.file)
            sink.record(entryPath, at: keyValue.location)
            self.entries.append((key, keyValue.location, entryValue))
        }
    }

    /// The value under `key`, nil when absent. Marks the key as expected.
    func value(_ key: String) -> YAMLValue? {
        self.read.insert(key)
        return self.entries.first { $0.key == key }?.value
    }

    /// Where `key` is written, or where this mapping starts when the key is absent.
    func keyLocation(_ key: String) -> SourceLocation {
        self.entries.first { $0.key == key }?.keyLocation ?? self.location
    }

    /// Reports every key not read so far, suggesting the closest expected one.
    func reportUnknownKeys(expected: [String], context: String) {
        for entry in self.entries where !self.read.contains(entry.key) {
            let suggestion = Suggestion.closest(to: entry.key, among: expected)
            let hint =
                suggestion.map { "did you mean '\($0)'?" }
                ?? "\(context) takes \(expected.map { "'\($0)'" }.joined(separator: ", "))"
            self.sink.error(entry.keyLocation, entry.value.path, "unknown key '\(entry.key)'", hint: hint)
        }
    }

    // MARK: Typed accessors

    /// Reports a problem with the value under `key`, at the value.
    func reject(_ key: String, _ message: String, hint: String = "") {
        guard let value = self.value(key) else { return }
        self.sink.error(value.location, value.path, message, hint: hint)
    }

    /// The string under `key` turned into a value by `parse`, which returns it or says what is wrong.
    func parsed<Value>(
        _ key: String,
        required hint: String? = nil,
        _ parse: (String) -> Result<Value, ValueProblem>
    ) -> Value? {
        guard let text = self.string(key, required: hint) else { return nil }
        switch parse(text) {
        case .success(let parsed):
            return parsed
        case .failure(let problem):
            self.reject(key, problem.message, hint: problem.hint)
            return nil
        }
    }

    /// Reports a required key that is absent (or null) at this mapping's key.
    func missing(_ key: String, hint: String) {
        let at = self.entries.first { $0.key == key }?.keyLocation ?? self.ownerLocation
        self.sink.error(at, self.path.appending(key), "missing", hint: hint)
    }

    /// Where to point for a key missing from this mapping: the key that introduced the mapping.
    var ownerLocation: SourceLocation { self.sink.locations[self.path] ?? self.location }

    func string(_ key: String, required hint: String? = nil) -> String? {
        guard let value = self.value(key), !value.isNull else {
            if let hint { self.missing(key, hint: hint) }
            return nil
        }
        guard let text = value.scalarText else {
            self.sink.error(value.location, value.path, "expected a string, found \(value.kindDescription)")
            return nil
        }
        return text
    }

    func integer(_ key: String, in range: ClosedRange<Int>, what: String) -> Int? {
        guard let value = self.value(key), !value.isNull else { return nil }
        guard let text = value.scalarText, let number = Int(text) else {
            self.sink.error(
                value.location,
                value.path,
                "expected \(what), found \(value.kindDescription)",
                hint: "write a whole number from \(range.lowerBound) to \(range.upperBound)"
            )
            return nil
        }
        guard range.contains(number) else {
            self.sink.error(
                value.location,
                value.path,
                "\(number) is out of range for \(what)",
                hint: "use a number from \(range.lowerBound) to \(range.upperBound)"
            )
            return nil
        }
        return number
    }

    /// `true` or `false` (YAML's other spellings of them too).
    func bool(_ key: String) -> Bool? {
        guard let text = self.string(key) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            self.reject(key, "'\(text)' is not true or false", hint: "write true or false")
            return nil
        }
    }

    func duration(_ key: String) -> InventoryDuration? {
        self.parsed(key) { text in
            InventoryDuration.parse(text).orProblem(
                "'\(text)' is not a duration",
                hint: "write a number and a unit: ms, s, m, h, d or w, e.g. 10s or 26h"
            )
        }
    }

    /// One of a fixed set of words.
    func choice(_ key: String, among choices: [String]) -> String? {
        guard let text = self.string(key) else { return nil }
        guard choices.contains(text) else {
            let value = self.value(key)!
            let suggestion = Suggestion.phrase(for: text, among: choices)
            self.sink.error(
                value.location,
                value.path,
                "'\(text)' is not one of \(choices.joined(separator: ", "))",
                hint: "\(suggestion)use one of them".trimmingSpaces()
            )
            return nil
        }
        return text
    }

    func secret(_ key: String, required hint: String? = nil) -> SecretReference? {
        self.parsed(key, required: hint, SecretReference.parse)
    }

    /// A list of scalars; each element is handed over with its own location.
    func list(_ key: String) -> [(text: String, value: YAMLValue)]? {
        guard let value = self.value(key), !value.isNull else { return nil }
        guard case .sequence(let sequence) = value.node else {
            self.sink.error(
                value.location,
                value.path,
                "expected a list, found \(value.kindDescription)",
                hint: "write [a, b] or one '- item' per line"
            )
            return nil
        }
        var items: [(String, YAMLValue)] = []
        for (index, node) in sequence.enumerated() {
            let item = YAMLValue(node: node, path: value.path.appending(index: index), file: self.sink.file)
            self.sink.record(item.path, at: item.location)
            guard let text = item.scalarText else {
                self.sink.error(item.location, item.path, "expected a string, found \(item.kindDescription)")
                continue
            }
            items.append((text, item))
        }
        return items
    }

    func mapping(_ key: String, expected: String) -> MappingReader? {
        guard let value = self.value(key), !value.isNull else { return nil }
        return MappingReader(value, sink: self.sink, expected: expected)
    }
}
