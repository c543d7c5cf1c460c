/// A PostgreSQL WAL segment's name, `TTTTTTTTLLLLLLLLSSSSSSSS` (timeline, log, segment; 24 hex digits).
/// Segments are ordered by position (log, then segment), whatever their timeline: after a point-in-time
/// recovery the new timeline goes on from where the old one was left. Pure.
public struct WALSegment: Sendable, Hashable {
    public var name: String

    public init?(_ name: String) {
        guard name.count == 24, name.allSatisfy(\.isHexDigit) else { return nil }
        self.name = name.uppercased()
    }

    /// Log and segment: where in the WAL it is.
    public var position: Substring { self.name.dropFirst(8) }

    /// Whether it comes before `other` in the WAL (timelines aside).
    public func precedes(_ other: WALSegment) -> Bool { self.position < other.position }
}

/// Which archived WAL objects no kept backup needs. Within a server's folder, the segments before the
/// oldest kept base backup's start; a folder no kept backup names (a server rebuilt since) goes whole.
/// Timeline history files (`NNNNNNNN.history`) stay while their folder does: a recovery reads them to
/// follow timelines. Pure.
public enum WALRetention {
    /// The keys under `root` (the layout's `walRoot`) to remove, given for each server (system identifier)
    /// the WAL start of its oldest kept base backup. With no base backup kept at all nothing is removed.
    public static func obsolete(keys: [String], root: String, oldestStarts: [String: WALSegment]) -> [String] {
        guard !oldestStarts.isEmpty else { return [] }
        return keys.filter { key in
            guard key.hasPrefix(root) else { return false }
            let rest = key.dropFirst(root.count)
            guard let slash = rest.firstIndex(of: "/") else { return false }
            guard let start = oldestStarts[String(rest[..<slash])] else { return true }
            let name = rest[rest.index(after: slash)...]
            guard !name.contains(".history"), let segment = WALSegment(String(name.prefix(24))) else {
                return false
            }
            return segment.precedes(start)
        }
    }
}
