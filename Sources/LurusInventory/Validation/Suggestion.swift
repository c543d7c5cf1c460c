/// "Did you mean" suggestions for misspelt keys and names.
public enum Suggestion {
    /// The candidate closest to `text` by edit distance, if it is close enough to be a likely typo.
    ///
    /// Case and `-`/`_` differences count as no difference; "close enough" is at most a third of the
    /// word's length in edits (at least 1, at most 3).
    public static func closest(to text: String, among candidates: some Sequence<String>) -> String? {
        let normalized = normalize(text)
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(normalized, normalize(candidate))
            if distance < (best?.distance ?? Int.max) { best = (candidate, distance) }
        }
        guard let best else { return nil }
        let limit = min(3, max(1, normalized.count / 3))
        return best.distance <= limit ? best.candidate : nil
    }

    /// `did you mean X? ` or an empty string.
    static func phrase(for text: String, among candidates: some Sequence<String>) -> String {
        closest(to: text, among: candidates).map { "did you mean '\($0)'? " } ?? ""
    }

    private static func normalize(_ text: String) -> [Character] {
        text.lowercased().map { $0 == "-" ? "_" : $0 }
    }

    /// Levenshtein distance with adjacent transpositions counted as one edit.
    static func editDistance(_ lhs: [Character], _ rhs: [Character]) -> Int {
        if lhs.isEmpty { return rhs.count }
        if rhs.isEmpty { return lhs.count }
        var previousPrevious = [Int](repeating: 0, count: rhs.count + 1)
        var previous = Array(0...rhs.count)
        var current = [Int](repeating: 0, count: rhs.count + 1)
        for i in 1...lhs.count {
            current[0] = i
            for j in 1...rhs.count {
                let cost = lhs[i - 1] == rhs[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, lhs[i - 1] == rhs[j - 2], lhs[i - 2] == rhs[j - 1] {
                    current[j] = min(current[j], previousPrevious[j - 2] + 1)
                }
            }
            (previousPrevious, previous, current) = (previous, current, previousPrevious)
        }
        return previous[rhs.count]
    }
}
