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

    /// Writes the merged text the plan showed. (If the file changed since the probe, those edits outside the
    /// block are overwritten; the next plan shows it.)
    func apply(_ difference: Difference) -> [ApplyCommand] {
        guard case .text(_, let after) = difference.content else { return [] }
        return [.upload(path: self.path, content: Array(after.utf8), mode: 0o644, owner: "root:root")]
    }
}
