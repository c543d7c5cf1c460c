import ArgumentParser
import Foundation
import LurusEngine
import LurusInventory
import LurusProvisioning
import LurusRelease
import LurusRemote

/// `lurusctl rollback`: put services back on the release (and configuration) they served before, or on a
/// named release still kept, on every node that runs them; the same switch as a deploy, behind the gate.
struct Rollback: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Go back to the previous (or a named) release of the services, with its configuration.",
        discussion: """
            Reads every node that runs the service, shows where each goes back to, asks on a terminal \
            (--yes skips it), then switches each node to the deployment its idle slot holds (the release \
            and settings that served before the last deploy), or with --to to the newest deployment of that \
            release still kept (`lurusctl releases` lists them). The release must pass its health check \
            before it takes traffic, as in a deploy. Under K3s the deployment's manifests are applied again \
            from the ledger in the cluster (its image must still be on the nodes) and its rollout watched. \
            Runs under the cluster lock with an audit record. \
            Exits 0 when every node was switched (or served it already), 1 otherwise, 130 when interrupted.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var remote: RemoteOptions

    @Argument(help: ArgumentHelp("The service to roll back (all placed services when left out).", valueName: "service"))
    var service: String?

    @Option(help: ArgumentHelp("Go to this release (its 12-digit id) instead of the previous one.", valueName: "id"))
    var to: String?

    @Flag(help: "Roll back without asking, also on a terminal.")
    var yes = false

    @Flag(help: "Print JSON objects, one per line.")
    var json = false

    @OptionGroup var lockWait: LockWaitOption

    func validate() throws {
        if let to = self.to, ReleaseID(to) == nil {
            throw ValidationError(
                "--to '\(to)' is not a release id: 12 lowercase hex digits, as `lurusctl releases` shows"
            )
        }
        _ = try ServiceSelection.components(self.service)
    }

    func run() async throws {
        let logger = self.global.makeLogger()
        let (inventory, provisioning) = try await ServiceSelection.readOnly(self.global, self.remote, logger: logger)
        let services = try ServiceSelection.select(
            self.service,
            from: provisioning.deployedServices,
            inventory: inventory
        )
        let redactor = await Redactor.forRun(of: inventory, adding: [])
        let release = self.to.flatMap(ReleaseID.init)
        let json = self.json
        let terminal = isatty(STDOUT_FILENO) == 1
        let mode: RunReporter.Mode = json ? .json : terminal ? .live : .lines
        let reporter = RunReporter(mode: mode, nodes: provisioning.nodes.map(\.name))
        let ask = terminal && isatty(STDIN_FILENO) == 1 && !self.yes && !json
        let control = RunControl()
        let lockWait = self.lockWait.duration
        let start = ContinuousClock.now
        let options = self.remote.sessionOptions
        let report: DeployReport?
        do {
            report = try await Interrupts.graceful(stop: control.stop) {
                try await OpenSSHSession.with(inventory, options: options, logger: logger) { session in
                    let deploy = ServiceDeploy(
                        deployer: provisioning.deployer(over: session),
                        services: services,
                        nodes: provisioning.nodes,
                        secrets: [:],
                        kubernetes: try ServiceSelection.kubernetesServer(provisioning).map {
                            provisioning.rollout(of: services, over: session, server: $0)
                        }
                    )
                    let operation = ClusterOperation(
                        verb: "rollback",
                        inventory: inventory,
                        transport: session,
                        lockWait: lockWait,
                        warn: { reporter.say(redactor.redact($0)) }
                    )
                    return try await operation.run(
                        events: reporter.sink,
                        prepare: { _ in
                            var plans: [RollbackPlan] = []
                            for service in services { plans.append(await deploy.rollbackPlan(service, to: release)) }
                            return plans
                        },
                        work: { plans, _ in
                            for plan in plans { Self.show(plan, json: json, redact: redactor.redacting) }
                            let changes = plans.flatMap(\.entries).filter(\.changes).count
                            if changes > 0, ask {
                                guard await Prompt.confirm("Roll back \(changes) service instances?", control: control)
                                else {
                                    reporter.say("nothing rolled back")
                                    return ClusterOperation.Outcome(DeployReport?.none, record: nil)
                                }
                            }
                            var report = DeployReport()
                            for plan in plans {
                                guard !control.isStopped else { break }
                                let done = await deploy.rollback(plan)
                                report.outcomes += done.outcomes
                                report.unreachable += done.unreachable
                            }
                            return ClusterOperation.Outcome(
                                DeployReport?.some(report),
                                record: report.record(interrupted: control.isStopped)
                            )
                        }
                    )
                }
            }
        } catch let error as LockError {
            reporter.finish()
            Terminal.standardError.write(redactor.redact("\(error)"))
            Terminal.standardError.write("nothing was rolled back on any node")
            throw ExitCode(1)
        }
        reporter.finish()
        guard let report else { return }
        if json {
            reporter.write(.event("rollback_summary", DeployReportPrinter.json(report)))
        } else {
            Terminal.standardOutput.write(
                redactor.redact(
                    DeployReportPrinter.summary(report, verb: "Rollback", elapsed: ContinuousClock.now - start)
                )
            )
        }
        if control.isStopped { throw ExitCode(130) }
        if !report.succeeded { throw ExitCode(1) }
    }

    static func show(_ plan: RollbackPlan, json: Bool, redact: @Sendable (String) -> String) {
        if json {
            for line in plan.lines {
                Terminal.standardOutput.write((try? JSONLine.encode(.event("rollback_plan", ["line": line]))) ?? "")
            }
            return
        }
        Terminal.standardOutput.write("Rollback:")
        for line in plan.lines { Terminal.standardOutput.write(redact("  \(line)")) }
    }
}
