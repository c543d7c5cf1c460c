import Foundation

/// What earlier runs found, kept between runs (`.lurus/CLUSTER/health-state.json`), so that only a change
/// of state is reported, and only once it has held for `confirmAfter` runs in a row (a check that flaps
/// between two states changes nothing). Pure: (history, results) -> (history, changes).
public struct HealthHistory: Sendable, Hashable, Codable {
    public struct Entry: Sendable, Hashable, Codable {
        /// The state last reported.
        public var confirmed: HealthStatus
        /// Since when (seconds since 1970).
        public var since: Double
        /// Another state seen lately, and in how many runs in a row.
        public var pending: HealthStatus?
        public var count: Int
    }

    /// By `NODE CHECK`.
    public var entries: [String: Entry] = [:]

    public init() {}

    /// A state that held long enough to report.
    public struct Change: Sendable, Hashable {
        public var result: CheckResult
        public var from: HealthStatus?
        /// How long the state before had lasted.
        public var after: Double?
    }

    /// Records one run's `results` at `time`; returns the changes to report. A check seen for the first
    /// time is a change only when it is not ok. Checks no longer run on a node of this run are forgotten;
    /// the nodes it did not check (`--on`) keep theirs.
    public mutating func record(_ results: [CheckResult], confirmAfter: Int, at time: Double) -> [Change] {
        var changes: [Change] = []
        let checked = Set(results.map(\.node))
        var next = self.entries.filter { key, _ in !checked.contains(String(key.prefix { $0 != " " })) }
        for result in results {
            let key = "\(result.node) \(result.check)"
            guard var entry = self.entries[key] else {
                next[key] = Entry(confirmed: result.status, since: time, pending: nil, count: 0)
                if result.status != .ok { changes.append(Change(result: result, from: nil, after: nil)) }
                continue
            }
            if result.status == entry.confirmed {
                entry.pending = nil
                entry.count = 0
            } else {
                entry.count = entry.pending == result.status ? entry.count + 1 : 1
                entry.pending = result.status
                if entry.count >= max(1, confirmAfter) {
                    changes.append(Change(result: result, from: entry.confirmed, after: time - entry.since))
                    entry = Entry(confirmed: result.status, since: time, pending: nil, count: 0)
                }
            }
            next[key] = entry
        }
        self.entries = next
        return changes
    }

    public static func load(_ path: String) -> HealthHistory {
        guard let data = FileManager.default.contents(atPath: path),
            let history = try? JSONDecoder().decode(HealthHistory.self, from: data)
        else { return HealthHistory() }
        return history
    }

    /// Written beside and renamed over: a run cut short leaves the old history, never half a file.
    public func save(_ path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
