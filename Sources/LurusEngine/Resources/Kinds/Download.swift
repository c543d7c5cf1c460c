import LurusRemote

/// A release binary or archive fetched on the node from `url` and accepted only with the expected sha256.
public struct Download: ResourceSpec, Hashable {
    public var url: String
    public var sha256: String
    public var path: String
    public var mode: Int
    public var owner: String
    public var group: String

    public init(
        url: String,
        sha256: String,
        path: String,
        mode: Int = 0o755,
        owner: String = "root",
        group: String = "root"
    ) {
        self.url = url
        self.sha256 = sha256.lowercased()
        self.path = path
        self.mode = mode
        self.owner = owner
        self.group = group
    }

    public var id: ResourceID { ResourceID(kind: "download", name: self.path) }

    var probe: ShellScript {
        ShellScript(
            "probe-download",
            """
            if [ -f "$1" ] && [ ! -L "$1" ]; then
                echo type=file; echo "meta=$(stat -c '%a %U %G' -- "$1")"; echo "sha256=$(sha256sum < "$1" | cut -d ' ' -f 1)"
            elif [ -e "$1" ]; then echo type=other; else echo type=absent; fi
            """,
            [self.path]
        )
    }

    func compare(with observed: ObservedState, changed: Set<ResourceID>) -> Difference {
        switch observed["type"] ?? "absent" {
        case "absent": return Difference(.create, details: [self.url])
        case "file":
            if observed["sha256"] != self.sha256 {
                return Difference(
                    .change,
                    details: [
                        "sha256 \(observed["sha256"]?.prefix(12) ?? "?")… -> \(self.sha256.prefix(12))…", self.url,
                    ]
                )
            }
            let details = FileMeta(observed["meta"]).differences(mode: self.mode, owner: self.owner, group: self.group)
            return details.isEmpty ? .none : Difference(.change, details: details)
        default: return Difference(.change, details: ["is not a regular file on the node"])
        }
    }

    func apply(_ difference: Difference) -> [ApplyCommand] {
        if difference.action == .change, FileMeta.onlyMetadata(difference) {
            return [
                .run(FileMeta.fixScript(path: self.path, mode: self.mode, owner: self.owner, group: self.group).command)
            ]
        }
        return [
            .run(
                ShellScript(
                    "download",
                    Self.script,
                    [self.url, self.sha256, self.path, octal(self.mode), "\(self.owner):\(self.group)"]
                ).command,
                timeout: .seconds(900)
            )
        ]
    }

    /// Fetches into a temporary file beside the target, checks the sha256, then renames.
    static let script = """
        set -eu
        tmp=$(mktemp -- "$(dirname -- "$3")/.lurusctl-download.XXXXXXXX")
        trap 'rm -f -- "$tmp"' EXIT
        curl -fsSL --retry 3 --connect-timeout 15 --max-time 840 -o "$tmp" -- "$1"
        actual=$(sha256sum < "$tmp" | cut -d ' ' -f 1)
        if [ "$actual" != "$2" ]; then
            echo "sha256 of $1 is $actual, expected $2: refusing it" >&2
            exit 3
        fi
        chmod "$4" -- "$tmp"
        chown -- "$5" "$tmp"
        mv -f -- "$tmp" "$3"
        trap - EXIT
        """
}
