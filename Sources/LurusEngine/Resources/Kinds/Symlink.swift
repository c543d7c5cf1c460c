import LurusRemote

/// A symbolic link pointing at `target`.
public struct Symlink: ResourceSpec, Hashable {
    public var path: String
    public var target: String
    public var ensure: Ensure

    public init(path: String, target: String, ensure: Ensure = .present) {
        self.path = path
        self.target = target
        self.ensure = ensure
    }

    public var id: ResourceID { ResourceID(kind: "symlink", name: self.path) }

    var probe: ShellScript { ShellScript("probe-symlink", Self.probeScript, [self.path]) }

    static let probeScript = """
        p=$1
        if [ -L "$p" ]; then echo type=symlink; t=$(readlink -- "$p"); printf 'target='; printf '%s' "$t" | base64 -w 0; echo; exit 0; fi
        if [ -e "$p" ]; then echo type=other; else echo type=absent; fi
        """

    func compare(with observed: ObservedState, changed: Set<ResourceID>) -> Difference {
        let type = observed["type"] ?? "absent"
        if self.ensure == .absent { return type == "absent" ? .none : Difference(.remove) }
        switch type {
        case "absent": return Difference(.create, details: ["-> \(self.target)"])
        case "symlink":
            let current = observed.bytes("target").map { String(decoding: $0, as: UTF8.self) } ?? ""
            return current == self.target
                ? .none : Difference(.change, details: ["-> \(current) becomes -> \(self.target)"])
        default:
            return Difference(
                .change,
                details: ["is a file or directory on the node, not a link; refusing to replace it"]
            )
        }
    }

    func apply(_ difference: Difference) -> [ApplyCommand] {
        if difference.action == .remove {
            return [.run(ShellScript("remove-symlink", "[ ! -L \"$1\" ] || rm -f -- \"$1\"", [self.path]).command)]
        }
        // `ln -sfn` on a real directory would put the link inside it: refuse anything but a link or nothing.
        return [
            .run(
                ShellScript(
                    "make-symlink",
                    """
                    if [ -e "$2" ] && [ ! -L "$2" ]; then echo "$2 exists and is not a symbolic link" >&2; exit 3; fi
                    ln -sfn -- "$1" "$2"
                    """,
                    [self.target, self.path]
                ).command
            )
        ]
    }
}
