import ArgumentParser
import Foundation
import Logging
import LurusEngine
import LurusInventory
import LurusProvisioning
import LurusRelease
import LurusRemote

/// The run `up` and `deploy` share: under the cluster lock, plan, confirm and apply the units, then ship
/// the services' release; report live, as lines or as JSON; exit 0, 1 on any failure, 130 interrupted.
struct ProvisionRun {
    var verb: String
    var inventory: Inventory
    var provisioning: Provisioning
    var redactor: Redactor
    var printer: PlanPrinter
    var json: Bool
    var yes: Bool
    var lockWait: Duration?
    var sessionOptions: OpenSSHSession.Options
    var logger: Logger
    /// Builds the release step once the reporter exists (nil: no services to deploy).
    var release: @Sendable (RunReporter) async throws -> ReleaseStep?

    func run() async throws {
        let terminal = isatty(STDOUT_FILENO) == 1
        let mode: RunReporter.Mode = self.json ? .json : terminal ? .live : .lines
        let reporter = RunReporter(mode: mode, nodes: self.provisioning.nodes.map(\.name))
        let release = try await self.release(reporter)
        let control = RunControl()
        let printer = self.printer
        let redactor = self.redactor
        let interaction = UpInteraction(
            events: reporter.sink,
            showPlan: { plan in
                reporter.clear()
                printer.print(plan)
            },
            confirm: { question in await Prompt.confirm(question, control: control) },
            say: { text in reporter.say(redactor.redact(text)) }
        )
        let operation = UpOperation(
            provisioning: self.provisioning,
            redact: redactor.redacting,
            ask: terminal && isatty(STDIN_FILENO) == 1 && !self.yes && !self.json,
            lockWait: self.lockWait,
            verb: self.verb,
            release: release
        )
        let inventory = self.inventory
        let options = self.sessionOptions
        let logger = self.logger
        let start = ContinuousClock.now
        let outcome: UpOutcome?
        do {
            outcome = try await Interrupts.graceful(stop: control.stop) {
                try await OpenSSHSession.with(inventory, options: options, logger: logger) { session in
                    try await operation.perform(transport: session, control: control, interaction: interaction)
                }
            }
        } catch let error as LockError {
            reporter.finish()
            Terminal.standardError.write(redactor.redact("\(error)"))
            Terminal.standardError.write("nothing was planned or applied on any node")
            throw ExitCode(1)
        }
        reporter.finish()
        guard let outcome else { return }
        let elapsed = ContinuousClock.now - start
        var summary = RunSummaryReport(result: outcome.run, elapsed: elapsed, style: Style(enabled: mode == .live))
        summary.verb = self.verb
        if self.verb == "deploy" { summary.title = "Host setup" }
        if self.json {
            reporter.write(.event("summary", summary.json))
            if let deploy = outcome.deploy {
                reporter.write(.event("deploy_summary", DeployReportPrinter.json(deploy)))
            }
        } else {
            Terminal.standardOutput.write(redactor.redact(summary.text))
            if let deploy = outcome.deploy {
                Terminal.standardOutput.write(
                    redactor.redact(DeployReportPrinter.summary(deploy, verb: "Deploy", elapsed: elapsed))
                )
            }
        }
        if outcome.run.interrupted || control.isStopped { throw ExitCode(130) }
        if !outcome.succeeded { throw ExitCode(1) }
    }
}
