/// Reading settings under `components:`.
extension InventoryDecoder {
    func componentSettings(_ document: MappingReader) -> [Component: ComponentSettings] {
        guard let block = document.mapping("components", expected: "a mapping of component name to settings") else {
            return [:]
        }
        var all: [Component: ComponentSettings] = [:]
        let names = Component.allCases.filter { !$0.settingSpecs.isEmpty }.map(\.rawValue)
        for entry in block.entries {
            _ = block.value(entry.key)
            guard let component = Component(rawValue: entry.key), !component.settingSpecs.isEmpty else {
                let known = Component(rawValue: entry.key) != nil
                self.sink.error(
                    entry.keyLocation,
                    entry.value.path,
                    known ? "\(entry.key) has no settings" : "unknown component '\(entry.key)'",
                    hint: Suggestion.closest(to: entry.key, among: names).map { "did you mean '\($0)'?" }
                        ?? "components with settings are \(names.joined(separator: ", "))"
                )
                continue
            }
            guard
                let settings = MappingReader(
                    entry.value,
                    sink: self.sink,
                    expected: "a mapping of \(entry.key) settings"
                )
            else { continue }
            all[component] = self.settings(of: component, settings)
        }
        return all
    }

    func settings(of component: Component, _ block: MappingReader) -> ComponentSettings {
        var values: [String: SettingValue] = [:]
        for spec in component.settingSpecs {
            guard let value = block.value(spec.key), !value.isNull else { continue }
            switch spec.kind {
            case .port:
                if let port = block.integer(spec.key, in: 1...65535, what: "a port") {
                    values[spec.key] = .integer(port)
                }
            case .count(let range):
                if let count = block.integer(spec.key, in: range, what: "a count") {
                    values[spec.key] = .integer(count)
                }
            case .duration:
                if let duration = block.duration(spec.key) { values[spec.key] = .duration(duration) }
            case .word(let choices):
                if let word = block.choice(spec.key, among: choices) { values[spec.key] = .text(word) }
            case .size:
                values[spec.key] = block.parsed(spec.key) { text in
                    InventorySize.parse(text).map(SettingValue.size)
                        .orProblem("'\(text)' is not a size", hint: "write a number and a unit, e.g. 512mb or 10gb")
                }
            case .path:
                values[spec.key] = block.parsed(spec.key) { text in
                    (text.hasPrefix("/") && !text.contains("\n") && !text.contains("..")
                        ? SettingValue.text(text) : nil)
                        .orProblem(
                            "'\(text)' is not an absolute path on the node",
                            hint: "write a path starting with /"
                        )
                }
            case .name:
                values[spec.key] = block.parsed(spec.key) { text in
                    (DNSLabel.isValid(text, allowUppercase: false) && text.count >= 3 ? SettingValue.text(text) : nil)
                        .orProblem(
                            "'\(text)' is not a valid bucket name",
                            hint: "use 3-63 lowercase letters, digits and '-'"
                        )
                }
            case .number(let range):
                values[spec.key] = block.parsed(spec.key) { text in
                    (Double(text).flatMap { range.contains($0) ? SettingValue.number($0) : nil })
                        .orProblem(
                            "'\(text)' is not a number from \(SettingValue.text(range.lowerBound)) to \(SettingValue.text(range.upperBound))",
                            hint:
                                "write a decimal number, e.g. \(SettingValue.text(range.lowerBound + (range.upperBound - range.lowerBound) / 10))"
                        )
                }
            case .sha256:
                values[spec.key] = block.parsed(spec.key) { text in
                    (text.count == 64 && text.allSatisfy { $0.isASCII && $0.isHexDigit }
                        ? SettingValue.text(text.lowercased()) : nil)
                        .orProblem(
                            "'\(text)' is not a sha256 digest",
                            hint: "write the 64 hexadecimal characters of the digest"
                        )
                }
            }
        }
        block.reportUnknownKeys(expected: component.settingSpecs.map(\.key), context: component.rawValue)
        return ComponentSettings(component: component, values: values)
    }
}
