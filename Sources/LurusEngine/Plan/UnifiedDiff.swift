/// A unified diff (`diff -u` style, three lines of context) of two texts.
///
/// Written here because no package in reach makes unified diffs; the line matching itself is the standard
/// library's `CollectionDifference` (Myers' algorithm), only the hunk layout is ours.
public struct UnifiedDiff: Sendable, Hashable {
    public enum Line: Sendable, Hashable {
        case context(String)
        case removed(String)
        case added(String)
    }

    public struct Hunk: Sendable, Hashable {
        public var oldStart: Int
        public var oldCount: Int
        public var newStart: Int
        public var newCount: Int
        public var lines: [Line]

        public var header: String {
            "@@ -\(Self.range(self.oldStart, self.oldCount)) +\(Self.range(self.newStart, self.newCount)) @@"
        }

        private static func range(_ start: Int, _ count: Int) -> String {
            count == 1 ? "\(start)" : "\(count == 0 ? start - 1 : start),\(count)"
        }
    }

    public var hunks: [Hunk]

    public init(before: String, after: String, context: Int = 3) {
        let old = Self.lines(before)
        let new = Self.lines(after)
        let difference = new.difference(from: old)
        var removed = Set<Int>()
        var inserted = Set<Int>()
        for change in difference {
            switch change {
            case .remove(let offset, _, _): removed.insert(offset)
            case .insert(let offset, _, _): inserted.insert(offset)
            }
        }
        // The whole edit script: every line of both texts, in order, with the old and new line numbers.
        var script: [(line: Line, old: Int, new: Int)] = []
        var i = 0
        var j = 0
        while i < old.count || j < new.count {
            if i < old.count, removed.contains(i) {
                script.append((.removed(old[i]), i, j))
                i += 1
            } else if j < new.count, inserted.contains(j) {
                script.append((.added(new[j]), i, j))
                j += 1
            } else {
                script.append((.context(old[i]), i, j))
                i += 1
                j += 1
            }
        }
        // Hunks: runs of changes, each with up to `context` lines around it, merged when they touch.
        let changed = script.indices.filter { if case .context = script[$0].line { false } else { true } }
        var hunks: [Hunk] = []
        var index = 0
        while index < changed.count {
            let lower = max(0, changed[index] - context)
            var upper = min(script.count - 1, changed[index] + context)
            index += 1
            while index < changed.count, changed[index] - context <= upper + 1 {
                upper = min(script.count - 1, changed[index] + context)
                index += 1
            }
            let slice = script[lower...upper]
            let oldCount = slice.filter { if case .added = $0.line { false } else { true } }.count
            let newCount = slice.filter { if case .removed = $0.line { false } else { true } }.count
            hunks.append(
                Hunk(
                    oldStart: script[lower].old + 1,
                    oldCount: oldCount,
                    newStart: script[lower].new + 1,
                    newCount: newCount,
                    lines: slice.map(\.line)
                )
            )
        }
        self.hunks = hunks
    }

    public var isEmpty: Bool { self.hunks.isEmpty }

    /// The diff as text lines, without the `---`/`+++` header.
    public var lines: [String] {
        self.hunks.flatMap { hunk in
            [hunk.header]
                + hunk.lines.map { line in
                    switch line {
                    case .context(let text): " \(text)"
                    case .removed(let text): "-\(text)"
                    case .added(let text): "+\(text)"
                    }
                }
        }
    }

    /// Splits into lines; a final newline does not start an empty last line.
    static func lines(_ text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}
