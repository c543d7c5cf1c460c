import LurusRemote

/// A kernel setting: its live value and a file in `/etc/sysctl.d` that keeps it across reboots.
public struct Sysctl: ResourceSpec, Hashable {
    public var key: String
    public var value: String

    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }

    public var id: ResourceID { ResourceID(kind: "sysctl", name: self.key) }

    var file: File { File(path: "/etc/sysctl.d/90-lurus-\(self.key).conf", text: "\(self.key) = \(self.value)\n") }

    var probe: ShellScript {
        ShellScript(
            "probe-sysctl",
            """
            printf 'live='; sysctl -n -- "$1" 2>/dev/null | tr -s ' \\t' '  ' | tr -d '\\n' | base64 -w 0; echo
            if [ -f "$2" ]; then echo "persisted=$(sha256sum < "$2" | cut -d ' ' -f 1)"; else echo persisted=absent; fi
            """,
            [self.key, self.file.path]
        )
    }

    func compare(with observed: ObservedState, changed: Set<ResourceID>) -> Difference {
        let live = observed.bytes("live").map { String(decoding: $0, as: UTF8.self) } ?? ""
        var details: [String] = []
        if live != self.value { details.append("\(live.isEmpty ? "unset" : live) -> \(self.value)") }
        if observed["persisted"] != self.file.sha256 { details.append("persist in \(self.file.path)") }
        return details.isEmpty ? .none : Difference(.change, details: details)
    }

    func apply(_ difference: Difference) -> [ApplyCommand] {
        self.file.apply(Difference(.create)) + [
            .run(ShellCommand(["sysctl", "-q", "-w", "\(self.key)=\(self.value)"]))
        ]
    }
}
