import LurusRemote

/// A directory with mode, owner and group. Removing one removes it only when empty.
public struct Directory: ResourceSpec, Hashable {
    public var path: String
    public var mode: Int
    public var owner: String
    public var group: String
    public var ensure: Ensure

    public init(
        path: String,
        mode: Int = 0o755,
        owner: String = "root",
        group: String = "root",
        ensure: Ensure = .present
    ) {
        self.path = path
        self.mode = mode
        self.owner = owner
        self.group = group
        self.ensure = ensure
    }

    public var id: ResourceID { ResourceID(kind: "directory", name: self.path) }

    var probe: ShellScript { ShellScript("probe-directory", Self.probeScript, [self.path]) }

    static let probeScript = """
        p=$1
        if [ -L "$p" ]; then echo type=symlink; exit 0; fi
        if [ -d "$p" ]; then echo type=directory; echo "meta=$(stat -c '%a %U %G' -- "$p")"; exit 0; fi
        if [ -e "$p" ]; then echo type=other; else echo type=absent; fi
        """

    func compare(with observed: ObservedState, changed: Set<ResourceID>) -> Difference {
        let type = observed["type"] ?? "absent"
        if self.ensure == .absent { return type == "absent" ? .none : Difference(.remove) }
        switch type {
        case "absent": return Difference(.create, details: ["\(octal(self.mode)) \(self.owner):\(self.group)"])
        case "directory":
            let details = FileMeta(observed["meta"]).differences(mode: self.mode, owner: self.owner, group: self.group)
            return details.isEmpty ? .none : Difference(.change, details: details)
        default: return Difference(.change, details: ["is a \(type) on the node, not a directory"])
        }
    }

    func apply(_ difference: Difference) -> [ApplyCommand] {
        if difference.action == .remove {
            return [.run(ShellScript("remove-directory", "rmdir -- \"$1\"", [self.path]).command)]
        }
        return [
            .run(
                ShellScript(
                    "make-directory",
                    "mkdir -p -- \"$1\" && chmod \"$2\" -- \"$1\" && chown -- \"$3\" \"$1\"",
                    [self.path, octal(self.mode), "\(self.owner):\(self.group)"]
                ).command
            )
        ]
    }
}
