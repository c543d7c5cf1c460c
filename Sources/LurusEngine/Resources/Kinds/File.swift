import Foundation
import LurusRemote

/// A regular file with exact content, mode, owner and group, written atomically (temporary file in the same
/// directory, sha256 checked on the node, rename).
public struct File: ResourceSpec, Hashable {
    public var path: String
    public var content: [UInt8]
    public var mode: Int
    public var owner: String
    public var group: String
    public var ensure: Ensure
    /// A secret: the probe never fetches its content, and plans say only that it changes.
    public var sensitive: Bool

    public init(
        path: String,
        content: [UInt8],
        mode: Int = 0o644,
        owner: String = "root",
        group: String = "root",
        ensure: Ensure = .present,
        sensitive: Bool = false
    ) {
        self.path = path
        self.content = content
        self.mode = mode
        self.owner = owner
        self.group = group
        self.ensure = ensure
        self.sensitive = sensitive
    }

    public init(
        path: String,
        text: String,
        mode: Int = 0o644,
        owner: String = "root",
        group: String = "root",
        sensitive: Bool = false
    ) {
        self.init(path: path, content: Array(text.utf8), mode: mode, owner: owner, group: group, sensitive: sensitive)
    }

    /// Files larger than this are compared by sha256 only; their diff is not shown.
    public static let diffLimit = 256 * 1024

    var sha256: String { Digest.sha256Hex(self.content) }

    public var id: ResourceID { ResourceID(kind: "file", name: self.path) }

    var probe: ShellScript {
        ShellScript(
            "probe-file",
            Self.probeScript,
            // A secret's digest stays here too: the node reports its own, compared on this side.
            [self.path, self.sensitive ? "-" : self.sha256, self.sensitive ? "0" : "1", String(Self.diffLimit)]
        )
    }

    /// Prints `type=`, then for a regular file `meta=MODE OWNER GROUP SIZE` and `sha256=`, and its content
    /// (base64) when it differs from the desired sha256 (`$2`), may be shown (`$3`) and is small (`$4`).
    static let probeScript = """
        p=$1
        if [ -L "$p" ]; then echo type=symlink; exit 0; fi
        if [ -d "$p" ]; then echo type=directory; exit 0; fi
        if [ ! -e "$p" ]; then echo type=absent; exit 0; fi
        if [ ! -f "$p" ]; then echo type=other; exit 0; fi
        echo type=file
        echo "meta=$(stat -c '%a %U %G %s' -- "$p")"
        s=$(sha256sum < "$p")
        s=${s%% *}
        echo "sha256=$s"
        if [ "$s" != "$2" ] && [ "$3" = 1 ] && [ "$(stat -c %s -- "$p")" -le "$4" ]; then
            printf 'content='; base64 -w 0 < "$p"; echo
        fi
        """

    func compare(with observed: ObservedState, changed: Set<ResourceID>) -> Difference {
        let type = observed["type"] ?? "absent"
        if self.ensure == .absent {
            return type == "absent" ? .none : Difference(.remove)
        }
        switch type {
        case "absent":
            return Difference(
                .create,
                details: ["\(octal(self.mode)) \(self.owner):\(self.group)"],
                content: self.contentChange(before: [])
            )
        case "file":
            break
        default:
            return Difference(.change, details: ["is a \(type) on the node; it will be replaced by a file"])
        }
        var details = FileMeta(observed["meta"]).differences(mode: self.mode, owner: self.owner, group: self.group)
        var content: ContentChange?
        if observed["sha256"] != self.sha256 {
            details.append("content")
            content = self.contentChange(before: observed.bytes("content"))
        }
        return details.isEmpty ? .none : Difference(.change, details: details, content: content)
    }

    private func contentChange(before: [UInt8]?) -> ContentChange {
        if self.sensitive { return .hidden }
        guard let before, let old = String(validating: before, as: UTF8.self),
            let new = String(validating: self.content, as: UTF8.self)
        else { return .opaque(beforeBytes: before?.count, afterBytes: self.content.count) }
        return .text(before: old, after: new)
    }

    func apply(_ difference: Difference) -> [ApplyCommand] {
        switch difference.action {
        case .remove:
            return [.run(ShellScript("remove-file", "rm -f -- \"$1\"", [self.path]).command)]
        case .change where FileMeta.onlyMetadata(difference):
            return [
                .run(FileMeta.fixScript(path: self.path, mode: self.mode, owner: self.owner, group: self.group).command)
            ]
        default:
            return [
                .upload(path: self.path, content: self.content, mode: self.mode, owner: "\(self.owner):\(self.group)")
            ]
        }
    }
}

/// `MODE OWNER GROUP [SIZE]` as `stat -c '%a %U %G %s'` prints it, compared with what is desired.
struct FileMeta {
    var mode: Int?
    var owner: String?
    var group: String?

    init(_ text: String?) {
        let fields = (text ?? "").split(separator: " ").map(String.init)
        self.mode = fields.first.flatMap { Int($0, radix: 8) }
        self.owner = fields.count > 1 ? fields[1] : nil
        self.group = fields.count > 2 ? fields[2] : nil
    }

    func differences(mode: Int, owner: String, group: String) -> [String] {
        var details: [String] = []
        if let current = self.mode, current != mode { details.append("mode \(octal(current)) -> \(octal(mode))") }
        let currentOwner = "\(self.owner ?? "?"):\(self.group ?? "?")"
        if currentOwner != "\(owner):\(group)" { details.append("owner \(currentOwner) -> \(owner):\(group)") }
        return details
    }

    /// Whether a change is to mode or owner only (as `differences` words it), so chmod/chown suffice.
    static func onlyMetadata(_ difference: Difference) -> Bool {
        difference.details.allSatisfy { $0.hasPrefix("mode") || $0.hasPrefix("owner") }
    }

    static func fixScript(path: String, mode: Int, owner: String, group: String) -> ShellScript {
        ShellScript(
            "fix-metadata",
            "chmod \"$2\" -- \"$1\" && chown -- \"$3\" \"$1\"",
            [path, octal(mode), "\(owner):\(group)"]
        )
    }
}
