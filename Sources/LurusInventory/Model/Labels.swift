/// A Kubernetes taint in kubectl's form, `key[=value]:Effect`.
public struct Taint: Sendable, Hashable, CustomStringConvertible {
    public enum Effect: String, Sendable, Hashable, CaseIterable {
        case noSchedule = "NoSchedule"
        case preferNoSchedule = "PreferNoSchedule"
        case noExecute = "NoExecute"
    }

    public var key: String
    public var value: String
    public var effect: Effect

    public var description: String {
        self.value.isEmpty ? "\(self.key):\(self.effect.rawValue)" : "\(self.key)=\(self.value):\(self.effect.rawValue)"
    }

    /// Parses `key[=value]:Effect`, or says what is wrong.
    public static func parse(_ text: String) -> Result<Taint, ValueProblem> {
        guard let colon = text.lastIndex(of: ":") else {
            return .failure(
                ValueProblem("taint has no effect", hint: "write key=value:NoSchedule, PreferNoSchedule or NoExecute")
            )
        }
        let effectText = String(text[text.index(after: colon)...])
        guard let effect = Effect(rawValue: effectText) else {
            let known = Effect.allCases.map(\.rawValue)
            let suggestion = Suggestion.closest(to: effectText, among: known).map { "did you mean '\($0)'? " } ?? ""
            return .failure(
                ValueProblem(
                    "unknown taint effect '\(effectText)'",
                    hint: "\(suggestion)use one of \(known.joined(separator: ", "))"
                )
            )
        }
        let pair = text[..<colon]
        let key: String
        let value: String
        if let equals = pair.firstIndex(of: "=") {
            key = String(pair[..<equals])
            value = String(pair[pair.index(after: equals)...])
        } else {
            key = String(pair)
            value = ""
        }
        if key.isEmpty {
            return .failure(
                ValueProblem(
                    "taint has no key",
                    hint: "write key=value:Effect, e.g. lurus.cn/database=postgres:NoSchedule"
                )
            )
        }
        if let problem = LabelSyntax.keyProblem(key) { return .failure(problem) }
        if let problem = LabelSyntax.valueProblem(value) { return .failure(problem) }
        return .success(Taint(key: key, value: value, effect: effect))
    }
}

/// Kubernetes label syntax: `[prefix/]name` keys and values of at most 63 characters.
public enum LabelSyntax {
    public static func keyProblem(_ key: String) -> ValueProblem? {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else {
            return ValueProblem(
                "label key '\(key)' has more than one '/'",
                hint: "a key is [prefix/]name, e.g. lurus.cn/role"
            )
        }
        if parts.count == 2 {
            let prefix = String(parts[0])
            let labels = prefix.split(separator: ".", omittingEmptySubsequences: false)
            guard prefix.utf8.count <= 253, labels.allSatisfy({ DNSLabel.isValid(String($0), allowUppercase: false) })
            else {
                return ValueProblem(
                    "label key prefix '\(prefix)' is not a DNS subdomain",
                    hint: "use lowercase letters, digits, '-' and '.', e.g. lurus.cn"
                )
            }
        }
        let name = String(parts.last!)
        guard isNameOrValue(name), !name.isEmpty else {
            return ValueProblem(
                "label name '\(name)' is not valid",
                hint: "1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"
            )
        }
        return nil
    }

    public static func valueProblem(_ value: String) -> ValueProblem? {
        guard isNameOrValue(value) else {
            return ValueProblem(
                "label value '\(value)' is not valid",
                hint: "at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"
            )
        }
        return nil
    }

    private static func isNameOrValue(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        if scalars.isEmpty { return true }
        guard scalars.count <= 63 else { return false }
        func alphanumeric(_ scalar: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
        }
        guard alphanumeric(scalars.first!), alphanumeric(scalars.last!) else { return false }
        return scalars.allSatisfy { alphanumeric($0) || $0 == "-" || $0 == "_" || $0 == "." }
    }
}
