import Foundation

/// Where a verb writes: lines to standard output or standard error, JSON for machines.
///
/// Writes go straight to the descriptor with write(2). `lurusctl` ignores SIGPIPE (an agent's ssh may end
/// while a frame is written to it), and Foundation's `FileHandle.write` traps on the EPIPE that then
/// comes instead; here a reader that went away (`lurusctl audit | head -1`) only loses the rest of the
/// output, and the run goes on to its end (a mutating verb is never cut short by it).
struct Terminal: Sendable {
    let descriptor: Int32

    static let standardOutput = Terminal(descriptor: STDOUT_FILENO)
    static let standardError = Terminal(descriptor: STDERR_FILENO)

    func write(_ text: String) {
        self.write(bytes: Array((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    /// Writes `bytes` as they are (no newline added); a closed reader or any other error drops the rest.
    func write(bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(self.descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0, errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }

    /// Pretty, key-sorted JSON: stable for diffs and tests.
    func writeJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        self.write(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}
