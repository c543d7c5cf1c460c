/// The report as a Nagios plugin prints it: one line with the status and a summary, then one line per
/// problem (worst first), then the other checks, and the perfdata after a `|`. Pure.
public enum NagiosFormat {
    public static func text(_ report: HealthReport, verbose: Bool = true) -> String {
        let counts = HealthStatus.allCases.filter { $0 != .ok }.compactMap { status -> String? in
            let count = report.results.filter { $0.status == status }.count
            return count == 0 ? nil : "\(count) \(status.word.lowercased())"
        }
        let summary =
            "\(report.results.count) checks on \(report.nodes.count) node\(report.nodes.count == 1 ? "" : "s")"
            + (counts.isEmpty ? ", all ok" : ": " + counts.joined(separator: ", "))
        var first = "LURUS \(report.status.word) - \(summary)"
        if let worst = report.problems.first { first += "; \(worst.node) \(worst.check): \(worst.summary)" }
        let perfdata = report.results.compactMap(self.perfdata).joined(separator: " ")
        var lines = [perfdata.isEmpty ? first : "\(first) | \(perfdata)"]
        for result in report.problems {
            lines.append(self.line(result))
        }
        if verbose {
            lines += report.results.filter { $0.status == .ok }.map(self.line)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `CRITICAL brain service.gateway: lurus-gateway answers 503 (fix: …)`.
    static func line(_ result: CheckResult) -> String {
        let word = result.status.word.padding(toLength: 8, withPad: " ", startingAt: 0)
        let fix = result.fix.map { " (fix: \($0))" } ?? ""
        return "\(word) \(result.node) \(result.check): \(result.summary)\(fix)"
    }

    /// `'brain_disk'=42%;80;90;0;100`: the label quoted, unit after the value, empty fields kept.
    static func perfdata(_ result: CheckResult) -> String? {
        guard let measure = result.measure else { return nil }
        let label = "\(result.node)_\(measure.label)".replacingOccurrences(of: "'", with: "")
        let fields = [measure.warning, measure.critical, measure.minimum, measure.maximum].map {
            $0.map(self.number) ?? ""
        }
        var text = "'\(label)'=\(self.number(measure.value))\(measure.unit);" + fields.joined(separator: ";")
        while text.hasSuffix(";") { text.removeLast() }
        return text
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
