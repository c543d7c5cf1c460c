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
