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
