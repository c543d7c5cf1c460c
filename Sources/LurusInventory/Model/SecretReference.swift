/// Where a secret's value comes from. The inventory holds only these references, never values.
public enum SecretReference: Sendable, Hashable, CustomStringConvertible {
    /// `env:NAME`: the control machine's environment variable NAME.
    case environment(String)
    /// `file:PATH`: the contents of a file on the control machine (trailing newline dropped).
    case file(String)
    /// `cmd:COMMAND`: the standard output of a command run on the control machine (a password manager, say).
    case command(String)

    public static let schemes = ["env", "file", "cmd"]

    public var description: String {
        switch self {
        case .environment(let name): "env:\(name)"
        case .file(let path): "file:\(path)"
        case .command(let command): "cmd:\(command)"
        }
    }

    /// Parses `env:`, `file:` or `cmd:`; anything else is refused, inline values first of all.
    ///
    /// The refusal never repeats the value: it may be the secret itself.
    public static func parse(_ text: String) -> Result<SecretReference, ValueProblem> {
        let allowed = "write env:NAME, file:PATH or cmd:COMMAND"
        guard let colon = text.firstIndex(of: ":") else {
            return .failure(
                ValueProblem(
                    "looks like a secret written inline",
                    hint: "never put a secret in the inventory; \(allowed)"
                )
            )
        }
        let scheme = String(text[..<colon])
        let rest = String(text[text.index(after: colon)...]).trimmingSpaces()
        switch scheme {
        case "env":
            guard let first = rest.unicodeScalars.first,
                first == "_" || ("A"..."Z").contains(first) || ("a"..."z").contains(first),
                rest.unicodeScalars.allSatisfy({
                    $0 == "_" || ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0)
                })
            else {
                return .failure(
                    ValueProblem("env: needs an environment variable name", hint: "e.g. env:TAILSCALE_AUTH_KEY")
                )
            }
            return .success(.environment(rest))
        case "file":
            guard !rest.isEmpty else {
                return .failure(ValueProblem("file: needs a path", hint: "e.g. file:~/.config/lurus/s3-secret-key"))
            }
            return .success(.file(rest))
        case "cmd":
            guard !rest.isEmpty else {
                return .failure(ValueProblem("cmd: needs a command", hint: "e.g. cmd:pass show lurus/s3"))
            }
            return .success(.command(rest))
        default:
            let looksLikeScheme =
                !scheme.isEmpty && scheme.count <= 10 && scheme != "http" && scheme != "https"
                && scheme.unicodeScalars.allSatisfy { ("a"..."z").contains($0) }
            if looksLikeScheme {
                let suggestion = Suggestion.closest(to: scheme, among: schemes).map { "did you mean '\($0):'? " } ?? ""
                return .failure(ValueProblem("unknown secret source \(scheme):", hint: "\(suggestion)\(allowed)"))
            }
            return .failure(
                ValueProblem(
                    "looks like a secret written inline",
                    hint: "never put a secret in the inventory; \(allowed)"
                )
            )
        }
    }
}

extension String {
    func trimmingSpaces() -> String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return String(text)
    }
}
