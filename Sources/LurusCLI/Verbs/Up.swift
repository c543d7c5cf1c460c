import ArgumentParser
import Foundation
import LurusEngine
import LurusInventory
import LurusProvisioning
import LurusRemote

/// `lurusctl up`: plan, then apply, under the cluster lock, with an audit record.
struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Bring the nodes to what the inventory describes: plan, confirm, apply.",
        discussion: """
            Takes the cluster lock, plans (as `lurusctl plan` shows), asks for confirmation on a terminal \
            when there are changes (--yes skips it), then applies: every node at once, each component after \
            those it needs, on any node. A failure stops what depends on it; independent work goes on. Ctrl-C \
            starts no new step and lets running ones finish (a second Ctrl-C aborts them); rerun `up` to \
            finish. Every run is recorded in the audit log (lurusctl audit). Exits 0 when everything \
            succeeded, 1 on any failure, 130 when interrupted.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var remote: RemoteOptions
    @OptionGroup var provision: ProvisionOptions

    @Flag(help: "Apply without asking, also on a terminal.")
    var yes = false

    @Option(
        help: ArgumentHelp(
            "Wait up to this long for the cluster lock (e.g. 30s, 5m) instead of failing.",
            valueName: "duration"
        )
    )
    var lockWait: String?

    func validate() throws {
        _ = try self.provision.component
        if let lockWait = self.lockWait, InventoryDuration.parse(lockWait) == nil {
            throw ValidationError("--lock-wait '\(lockWait)' is not a duration: write e.g. 30s or 5m")
        }
    }

    func run() async throws {
        let logger = self.global.makeLogger()
        let inventory = try self.global.loadInventory(logger: logger)
        let (provisioning, redactor) = try await self.provision.prepare(inventory, remote: self.remote)
        let json = self.provision.json
        let terminal = isatty(STDOUT_FILENO) == 1
        let mode: RunReporter.Mode = json ? .json : terminal ? .live : .lines
        let reporter = RunReporter(mode: mode, nodes: provisioning.nodes.map(\.name))
        let printer = self.provision.printer(provisioning, redactor: redactor)
        let control = RunControl()
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
            provisioning: provisioning,
            redact: redactor.redacting,
            ask: terminal && isatty(STDIN_FILENO) == 1 && !self.yes && !json,
            lockWait: self.lockWait.flatMap(InventoryDuration.parse).map { Duration.milliseconds($0.milliseconds) }
        )
        let options = self.remote.sessionOptions
        let start = ContinuousClock.now
        let outcome: RunResult?
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
        guard let result = outcome else { return }
        let summary = RunSummaryReport(
            result: result,
            elapsed: ContinuousClock.now - start,
            style: Style(enabled: mode == .live)
        )
        if json {
            reporter.write(.event("summary", summary.json))
        } else {
            Terminal.standardOutput.write(redactor.redact(summary.text))
        }
        if result.interrupted { throw ExitCode(130) }
        if !result.succeeded { throw ExitCode(1) }
    }
}
