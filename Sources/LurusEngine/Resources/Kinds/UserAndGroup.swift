import LurusRemote

/// A system account without a login: what a daemon runs as.
public struct User: ResourceSpec, Hashable {
    public var name: String
    public var group: String
    public var home: String
    public var shell: String
    public var ensure: Ensure

    public init(
        _ name: String,
        group: String? = nil,
        home: String = "/nonexistent",
        shell: String = "/usr/sbin/nologin",
        ensure: Ensure = .present
    ) {
        self.name = name
        self.group = group ?? name
        self.home = home
        self.shell = shell
        self.ensure = ensure
    }

    public var id: ResourceID { ResourceID(kind: "user", name: self.name) }

    var probe: ShellScript {
        ShellScript(
            "probe-user",
            """
            if entry=$(getent passwd -- "$1"); then
                echo exists=yes
                printf 'home='; printf '%s' "$entry" | cut -d : -f 6 | tr -d '\\n' | base64 -w 0; echo
                printf 'shell='; printf '%s' "$entry" | cut -d : -f 7 | tr -d '\\n' | base64 -w 0; echo
                echo "group=$(id -gn -- "$1")"
            else echo exists=no; fi
            """,
            [self.name]
        )
    }

    func compare(with observed: ObservedState, changed: Set<ResourceID>) -> Difference {
        let exists = observed["exists"] == "yes"
        if self.ensure == .absent { return exists ? Difference(.remove) : .none }
        guard exists else { return Difference(.create, details: ["group \(self.group), home \(self.home)"]) }
        var details: [String] = []
        let home = observed.bytes("home").map { String(decoding: $0, as: UTF8.self) } ?? ""
        let shell = observed.bytes("shell").map { String(decoding: $0, as: UTF8.self) } ?? ""
        if home != self.home { details.append("home \(home) -> \(self.home)") }
        if shell != self.shell { details.append("shell \(shell) -> \(self.shell)") }
        if observed["group"] != self.group { details.append("group \(observed["group"] ?? "?") -> \(self.group)") }
        return details.isEmpty ? .none : Difference(.change, details: details)
    }

    func apply(_ difference: Difference) -> [ApplyCommand] {
        let arguments = ["--home-dir", self.home, "--shell", self.shell, "--gid", self.group]
        switch difference.action {
        case .remove: return [.run(ShellCommand(["userdel", "--", self.name]))]
        case .create:
            return [
                .run(
                    ShellCommand(
                        ["useradd", "--system", "--no-create-home"] + arguments + ["--", self.name]
                    )
                )
            ]
        default:
            return [
                .run(
                    ShellCommand(
                        ["usermod"] + arguments.map { $0 == "--home-dir" ? "--home" : $0 } + ["--", self.name]
                    )
                )
            ]
        }
    }
}

/// A system group.
public struct Group: ResourceSpec, Hashable {
    public var name: String
    public var ensure: Ensure

    public init(_ name: String, ensure: Ensure = .present) {
        self.name = name
        self.ensure = ensure
    }

    public var id: ResourceID { ResourceID(kind: "group", name: self.name) }

    var probe: ShellScript {
        ShellScript(
            "probe-group",
            "if getent group -- \"$1\" >/dev/null; then echo exists=yes; else echo exists=no; fi",
            [self.name]
        )
    }

    func compare(with observed: ObservedState, changed: Set<ResourceID>) -> Difference {
        let exists = observed["exists"] == "yes"
        switch self.ensure {
        case .present: return exists ? .none : Difference(.create)
        case .absent: return exists ? Difference(.remove) : .none
        }
    }

    func apply(_ difference: Difference) -> [ApplyCommand] {
        difference.action == .remove
            ? [.run(ShellCommand(["groupdel", "--", self.name]))]
            : [.run(ShellCommand(["groupadd", "--system", "--", self.name]))]
    }
}
