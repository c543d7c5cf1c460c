import Foundation

/// Why a new instance did not pass its health gate, as `switch.sh` reports it: the last answer (or
/// connection error), the unit's status and its last log lines. Pure.
public struct GateFailure: Sendable, Hashable, CustomStringConvertible {
    public var answer: String
    public var status: String
    public var log: [String]

    /// Reads the lines after `gate failed`; nil when the output has none.
    public static func parse(_ output: String) -> GateFailure? {
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(of: "gate failed") else { return nil }
        var failure = GateFailure(answer: "", status: "", log: [])
        for line in lines[(start + 1)...] {
            if line.hasPrefix("answer: ") {
                failure.answer = String(line.dropFirst("answer: ".count))
            } else if line.hasPrefix("status: ") {
                failure.status = String(line.dropFirst("status: ".count)).trimmingCharacters(in: .whitespaces)
            } else if line.hasPrefix("log: ") {
                failure.log.append(String(line.dropFirst("log: ".count)))
            }
        }
        return failure
    }

    public var description: String {
        var text = "  last health answer: \(self.answer)\n  unit: \(self.status)"
        if !self.log.isEmpty {
            text += "\n  its last log lines:\n" + self.log.map { "    \($0)" }.joined(separator: "\n")
        }
        return text
    }
}
