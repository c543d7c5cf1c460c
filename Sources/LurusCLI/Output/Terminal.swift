import Foundation

/// Where a verb writes: lines to standard output or standard error, JSON for machines.
struct Terminal: Sendable {
    let handle: FileHandle

    static let standardOutput = Terminal(handle: .standardOutput)
    static let standardError = Terminal(handle: .standardError)

    func write(_ text: String) {
        self.handle.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    /// Pretty, key-sorted JSON: stable for diffs and tests.
    func writeJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        self.write(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}

/// Aligns rows into columns separated by two spaces, for people and for `awk`.
///
/// Hand-written: the only table package in the local copy (TextTable 0.0.2) draws boxed tables.
struct Columns {
    var header: [String]?
    var rows: [[String]] = []

    /// Columns under a header line.
    init(_ header: String...) {
        self.header = header
    }

    /// Columns with no header line.
    init() {
        self.header = nil
    }

    mutating func add(_ row: String...) {
        self.rows.append(row)
    }

    var rendered: String {
        let all = (self.header.map { [$0] } ?? []) + self.rows
        let count = all.map(\.count).max() ?? 0
        let widths = (0..<count).map { column in all.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
