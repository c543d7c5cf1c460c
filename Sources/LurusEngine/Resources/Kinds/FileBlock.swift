import LurusRemote

/// A block of lines inside a file the node also owns (`/etc/hosts`), between `# BEGIN lurusctl NAME` and
/// `# END lurusctl NAME` markers. Everything outside the block is left as it is; the block is appended
/// when missing. The file keeps its mode and owner (new files get 0644 root:root).
public struct FileBlock: ResourceSpec, Hashable {
    public var path: String
    public var name: String
    public var lines: [String]

    public init(path: String, name: String, lines: [String]) {
        self.path = path
        self.name = name
        self.lines = lines
    }

    /// One lurusctl block per file: the block's name is in its markers, not its identity.
    public var id: ResourceID { ResourceID(kind: "block", name: self.path) }

    var begin: String { "# BEGIN lurusctl \(self.name): managed by lurusctl, edits inside are undone" }
    var end: String { "# END lurusctl \(self.name)" }

    var probe: ShellScript {
        ShellScript(
            "probe-block",
            """
            if [ -f "$1" ]; then
                echo type=file; echo "meta=$(stat -c '%a %U %G' -- "$1")"
                printf 'content='; head -c 1048576 -- "$1" | base64 -w 0; echo
            elif [ -e "$1" ]; then echo type=other; else echo type=absent; fi
            """,
            [self.path]
        )
    }

    /// The file's text with the block set to `lines`: replaced in place, or appended.
    func merged(into text: String) -> String {
        var lines = UnifiedDiff.lines(text)
        let block = [self.begin] + self.lines + [self.end]
        if let start = lines.firstIndex(where: { $0.hasPrefix("# BEGIN lurusctl \(self.name):") }),
            let stop = lines[start...].firstIndex(of: self.end)
        {
            lines.replaceSubrange(start...stop, with: block)
        } else {
            lines += block
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func compare(with observed: ObservedState, changed: Set<ResourceID>) -> Difference {
        switch observed["type"] ?? "absent" {
        case "absent":
            return Difference(.create, content: .text(before: "", after: self.merged(into: "")))
        case "file":
            let before = observed.bytes("content").map { String(decoding: $0, as: UTF8.self) } ?? ""
            let after = self.merged(into: before)
            return before == after ? .none : Difference(.change, content: .text(before: before, after: after))
        default:
            return Difference(.change, details: ["is not a regular file on the node"])
        }
    }

    /// Sets the block in the file as it is on the node when the step runs (not as it was at the probe): a
    /// package may have installed the file meanwhile (Redis's configuration is one), and the rest of the file
    /// is never overwritten. The file keeps its mode and owner; a new one is 0644 root:root.
    func apply(_ difference: Difference) -> [ApplyCommand] {
        let block = ([self.begin] + self.lines + [self.end]).joined(separator: "\n")
        return [
            .run(
                ShellScript(
                    "set-block",
                    Self.setScript,
                    [self.path, "# BEGIN lurusctl \(self.name):", self.end]
                ).command,
                input: Array(block.utf8)
            )
        ]
    }

    /// Replaces the first block that starts with `$2` and ends at the line `$3` with stdin, or appends stdin.
    static let setScript = """
        set -eu
        block=$(cat)
        tmp=$(mktemp -- "$(dirname -- "$1")/.lurus-block.XXXXXX")
        trap 'rm -f -- "$tmp"' EXIT
        if [ -f "$1" ]; then
            BLOCK=$block awk -v prefix="$2" -v end="$3" '
                !done && !inside && index($0, prefix) == 1 { print ENVIRON["BLOCK"]; inside = 1; next }
                inside { if ($0 == end) { inside = 0; done = 1 }; next }
                { print }
                END { if (!done && !inside) print ENVIRON["BLOCK"] }
            ' "$1" > "$tmp"
            chmod --reference="$1" -- "$tmp"
            chown --reference="$1" -- "$tmp"
        else
            printf '%s\\n' "$block" > "$tmp"
            chmod 644 -- "$tmp"
        fi
        mv -f -- "$tmp" "$1"
        trap - EXIT
        """
}
