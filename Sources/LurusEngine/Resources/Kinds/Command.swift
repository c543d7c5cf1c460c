import LurusRemote

/// A command for what no other resource covers, guarded so it runs only when needed: `creates` (a path it
/// makes: run while that path is missing) or `unless` (a check: run while the check fails). Without a
/// guard it runs on every `up`, which the plan shows. `refreshOn` also runs it when one of the named
/// resources changes in the same run (a password file rewritten: set the password again), whatever the guard
/// says; keep a guard too, so that a run interrupted between the two finishes on the next one.
public struct Command: ResourceSpec, Hashable {
    public var name: String
    public var command: ShellCommand
    /// Bytes for the command's stdin: how secrets reach it.
    public var input: [UInt8]
    public var creates: String?
    public var unless: ShellCommand?
    public var refreshOn: [ResourceID]
    public var timeout: Duration
    /// The input is a secret: never shown.
    public var sensitive: Bool

    public init(
        _ name: String,
        _ command: ShellCommand,
        input: [UInt8] = [],
        creates: String? = nil,
        unless: ShellCommand? = nil,
        refreshOn: [ResourceID] = [],
        timeout: Duration = .seconds(300),
        sensitive: Bool = false
    ) {
        self.name = name
        self.command = command
        self.input = input
        self.creates = creates
        self.unless = unless
        self.refreshOn = refreshOn
        self.timeout = timeout
        self.sensitive = sensitive
    }

    public var id: ResourceID { ResourceID(kind: "command", name: self.name) }

    var probe: ShellScript {
        if let creates {
            return ShellScript(
                "probe-creates",
                "if [ -e \"$1\" ]; then echo guard=met; else echo guard=unmet; fi",
                [creates]
            )
        }
        if let unless {
            var script = ShellScript(
                "probe-unless",
                "if \"$@\" >/dev/null 2>&1 </dev/null; then echo guard=met; else echo guard=unmet; fi"
            )
            script.arguments = unless.arguments
            return script
        }
        return ShellScript("probe-command", "echo guard=none")
    }

    func compare(with observed: ObservedState, changed: Set<ResourceID>) -> Difference {
        let refreshedBy = self.refreshOn.filter(changed.contains)
        if observed["guard"] == "met" {
            if refreshedBy.isEmpty { return .none }
            return Difference(.run, details: refreshedBy.map { "\($0) changes" })
        }
        let reason =
            self.creates.map { "\($0) is missing" } ?? self.unless.map { "check failed: \(Self.summary($0))" }
            ?? "no guard: runs every time"
        return Difference(.run, details: [reason])
    }

    /// A check as the plan shows it: an inline script stands as its first line, so a plan stays readable.
    static func summary(_ check: ShellCommand) -> String {
        let shortened = check.arguments.map { argument in
            guard let end = argument.firstIndex(of: UInt8(ascii: "\n")) else { return argument }
            return Array(argument[..<end]) + Array("…".utf8)
        }
        return ShellCommand(bytes: shortened).description
    }

    func apply(_ difference: Difference) -> [ApplyCommand] {
        [.run(self.command, input: self.input, timeout: self.timeout)]
    }
}
