import Foundation
import LurusEngine

/// The end of `up`: one line per node (changed, unchanged, failed, skipped with the reason) and a total;
/// with `--json` one summary object.
struct RunSummaryReport {
    var result: RunResult
    var elapsed: Duration
    var style: Style
    /// What the total line starts with: `Up` (the services' host setup under `deploy`: `Host setup`).
    var title = "Up"
    /// The verb to run again after an interruption.
    var verb = "up"

    var text: String {
        let width = self.result.nodes.map(\.node.count).max() ?? 0
        var lines: [String] = []
        for node in self.result.nodes {
            let name = node.node.padding(toLength: width, withPad: " ", startingAt: 0)
            if let failure = node.failure {
                lines.append(self.style.red("\(name)  FAILED: \(failure)"))
                continue
            }
            var text = "\(name)  \(node.changes.count) changed, \(node.unchanged) unchanged"
            let restarts = node.units.flatMap(\.restarts)
            if !restarts.isEmpty { text += " (\(restarts.joined(separator: ", ")))" }
            lines.append(node.failed ? self.style.red(text) : text)
            for unit in node.units where !unit.status.succeeded {
                let line =
                    "\(String(repeating: " ", count: width))  \(unit.unit.component) \(unit.status.rawValue): \(unit.message ?? "")"
                lines.append(unit.status == .failed ? self.style.red(line) : self.style.yellow(line))
            }
        }
        lines.append(self.total)
        return lines.joined(separator: "\n")
    }

    var total: String {
        let nodes = self.result.nodes.filter { !$0.changes.isEmpty }.count
        var text =
            "\(self.title): \(self.result.changed) changed on \(nodes) node\(nodes == 1 ? "" : "s"), \(self.result.unchanged) unchanged"
        text += ", \(self.result.failed) failed, \(self.result.skipped) skipped in \(RunReporter.format(self.elapsed))"
        if self.result.interrupted { text += "; interrupted: run `lurusctl \(self.verb)` again to finish" }
        return text + "."
    }

    var json: JSONRunSummary {
        JSONRunSummary(
            changed: self.result.changed,
            unchanged: self.result.unchanged,
            failed: self.result.failed,
            skipped: self.result.skipped,
            interrupted: self.result.interrupted,
            durationMs: self.elapsed.milliseconds,
            nodes: self.result.nodes.map { node in
                JSONNodeSummary(
                    node: node.node,
                    status: node.failed ? "failed" : node.units.allSatisfy(\.status.succeeded) ? "ok" : "incomplete",
                    changed: node.changes.count,
                    unchanged: node.unchanged,
                    failure: node.failure,
                    units: node.units.map(JSONUnitResult.init)
                )
            }
        )
    }
}

struct JSONRunSummary: Encodable {
    var changed: Int
    var unchanged: Int
    var failed: Int
    var skipped: Int
    var interrupted: Bool
    var durationMs: Int64
    var nodes: [JSONNodeSummary]

    enum CodingKeys: String, CodingKey {
        case changed, unchanged, failed, skipped, interrupted, nodes
        case durationMs = "duration_ms"
    }
}

struct JSONNodeSummary: Encodable {
    var node: String
    var status: String
    var changed: Int
    var unchanged: Int
    var failure: String?
    var units: [JSONUnitResult]
}
