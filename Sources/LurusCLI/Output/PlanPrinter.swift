import LurusEngine
import LurusInventory

/// Prints a plan the way `plan` and `up` both show it: text (colour on a terminal), or JSON lines.
struct PlanPrinter: Sendable {
    var json: Bool
    var colour: Bool
    var unprovisioned: [Component]
    var redact: @Sendable (String) -> String

    func print(_ plan: Plan) {
        let report = PlanReport(plan: plan, unprovisioned: self.unprovisioned, style: Style(enabled: self.colour))
        if self.json {
            for line in (try? report.jsonLines()) ?? [] { Terminal.standardOutput.write(self.redact(line)) }
        } else {
            Terminal.standardOutput.write(self.redact(report.text))
        }
    }
}
