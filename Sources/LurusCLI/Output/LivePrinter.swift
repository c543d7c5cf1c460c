import Foundation
import LurusRemote
import Synchronization

/// Prints output while commands run, a whole line at a time, each line prefixed with its node:
/// `heart   | line` for standard output, `heart   ! line` for standard error. For `exec` on a terminal.
///
/// The remote runner's own report line (and the empty line it puts before it) is not shown: the outcome
/// is printed as a status instead.
final class LivePrinter: Sendable {
    private struct Partial {
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        var heldEmptyErrorLine = false
    }

    private let partials = Mutex<[String: Partial]>([:])
    private let width: Int

    init(nodeNames: [String]) {
        self.width = nodeNames.map(\.count).max() ?? 0
    }

    func receive(_ chunk: OutputChunk) {
        self.partials.withLock { partials in
            var partial = partials[chunk.node] ?? Partial()
            switch chunk.stream {
            case .standardOutput:
                partial.stdout += chunk.bytes
                while let newline = partial.stdout.firstIndex(of: UInt8(ascii: "\n")) {
                    self.print(Array(partial.stdout[..<newline]), node: chunk.node, error: false)
                    partial.stdout.removeSubrange(...newline)
                }
            case .standardError:
                partial.stderr += chunk.bytes
                while let newline = partial.stderr.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = Array(partial.stderr[..<newline])
                    partial.stderr.removeSubrange(...newline)
                    self.printError(line, node: chunk.node, partial: &partial)
                }
            }
            partials[chunk.node] = partial
        }
    }

    /// Prints what is left of a node's output once its command has ended.
    func finish(node: String) {
        self.partials.withLock { partials in
            guard var partial = partials.removeValue(forKey: node) else { return }
            if !partial.stdout.isEmpty { self.print(partial.stdout, node: node, error: false) }
            if !partial.stderr.isEmpty { self.printError(partial.stderr, node: node, partial: &partial) }
            if partial.heldEmptyErrorLine { self.print([], node: node, error: true) }
        }
    }

    private func printError(_ line: [UInt8], node: String, partial: inout Partial) {
        if line.starts(with: Array("lurusctl-runner:".utf8)) {
            partial.heldEmptyErrorLine = false
            return
        }
        if partial.heldEmptyErrorLine { self.print([], node: node, error: true) }
        partial.heldEmptyErrorLine = line.isEmpty
        if !line.isEmpty { self.print(line, node: node, error: true) }
    }

    private func print(_ line: [UInt8], node: String, error: Bool) {
        let prefix = node.padding(toLength: self.width, withPad: " ", startingAt: 0) + (error ? " ! " : " | ")
        (error ? Terminal.standardError : Terminal.standardOutput).write(prefix + String(decoding: line, as: UTF8.self))
    }
}
