import ArgumentParser
import Foundation
import LurusEngine
import LurusHealth
import LurusInventory
import LurusRemote

/// `lurusctl health`: every node's checks at once, for people, cron and monitoring.
struct Health: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check every node and component now: exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.",
        discussion: """
            One round trip per node, all nodes at once, each check cut off at health.timeout: the run ends \
            within that plus one second even when a node or a service hangs, and says which. The first line \
            is Nagios's (status, summary, perfdata after |); one line per problem follows, worst first, each \
            with what would fix it, then the checks that passed. A second run while one is going exits 3 at \
            once. doc/operations.md has the cron line and what each check means.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case nagios, json, prometheus
    }

    @OptionGroup var global: GlobalOptions
    @OptionGroup var remote: RemoteOptions

    @Flag(help: "The same as --format json.")
    var json = false

    @Option(help: "nagios (the default), json, or prometheus (the textfile collector's format).")
    var format: Format = .nagios

    @Flag(help: "Print the status line and the problems only.")
    var quiet = false

    @Option(
        help: ArgumentHelp(
            "Also send one real request of this model through the gateway (with health.canary_key).",
            valueName: "model"
        )
    )
    var canary: String?

    @Flag(
        help: """
            Print only the changes of state since the last --changes run, once they held for \
            health.confirm_after runs (nothing when nothing changed): for cron, which mails what it prints.
            """
    )
    var changes = false

    func validate() throws {
        if let model = self.canary,
            model.isEmpty
                || !model.unicodeScalars.allSatisfy({
                    CharacterSet.alphanumerics.contains($0) || "._:/-".unicodeScalars.contains($0)
                })
        {
            throw ValidationError("--canary '\(model)' is not a model name: letters, digits and . _ : / - only")
        }
    }

    func run() async throws {
        let logger = self.global.makeLogger()
        let inventory = try self.global.loadInventory(logger: logger)
        let nodes = try self.remote.selectNodes(in: inventory)
        var canaryRequest: (check: HealthPlan.Canary, key: [UInt8])?
        if let model = self.canary {
            let check = HealthPlan.Canary(model: model)
            guard check.node(in: inventory) != nil else {
                throw ValidationError(
                    inventory.runtime == .k3s
                        ? "--canary runs under the systemd runtime only: under K3s the gateway is behind the ingress; send a request there"
                        : "--canary: no node of \(inventory.path) runs the gateway"
                )
            }
            guard let reference = inventory.health.canaryKey else {
                throw ValidationError(
                    "--canary needs a client key: set health.canary_key in \(inventory.path) (a secret reference, e.g. env:LURUS_CANARY_KEY)"
                )
            }
            do {
                canaryRequest = (
                    check,
                    try await SecretStore(inventory: inventory).value(of: reference, as: "health/canary_key").bytes
                )
            } catch {
                Terminal.standardOutput.write("LURUS UNKNOWN - health.canary_key: \(error)")
                throw ExitCode(Int32(HealthStatus.unknown.rawValue))
            }
        }
        let state = StateDirectory(for: inventory)
        let lock: HealthLock?
        do {
            try state.prepare()
            lock = try HealthLock.take(path: state.file("health.lock"))
        } catch {
            Terminal.standardError.write("UNKNOWN: \(error)")
            throw ExitCode(Int32(HealthStatus.unknown.rawValue))
        }
        guard let lock else {
            Terminal.standardOutput.write(
                "LURUS UNKNOWN - another lurusctl health of \(inventory.cluster) is still running; this one did not start"
            )
            throw ExitCode(Int32(HealthStatus.unknown.rawValue))
        }
        defer { lock.release() }
        var ping: DeadMansPing?
        if let reference = inventory.health.pingURL {
            do {
                let url = try await SecretStore(inventory: inventory).value(of: reference, as: "health/ping_url")
                ping = DeadMansPing(url: url.text)
            } catch {
                Terminal.standardOutput.write("LURUS UNKNOWN - health.ping_url: \(error)")
                throw ExitCode(Int32(HealthStatus.unknown.rawValue))
            }
        }
        let options = self.remote.sessionOptions
        let started = ping
        let canary = canaryRequest
        let (report, unwritten, pingStart) = try await Interrupts.cancelling {
            try await OpenSSHSession.with(inventory, options: options, logger: logger) { session in
                async let startPing = started?.start()
                let run = HealthRun(inventory: inventory, nodes: nodes, transport: session, canary: canary)
                let report = await run.run()
                let left = run.deadline - report.elapsed
                let unwritten = await run.writeTextfiles(report, within: max(left, .milliseconds(300)))
                return (report, unwritten, await startPing)
            }
        }
        for failure in unwritten {
            Terminal.standardError.write("warning: the health textfile was not written on \(failure)")
        }
        if let ping {
            let problem = await ping.finish(report.status, report: NagiosFormat.text(report, verbose: false))
            for said in [pingStart, problem].compactMap({ $0 }) {
                Terminal.standardError.write("warning: health.ping_url: \(said)")
            }
        }
        if self.changes {
            let path = state.file("health-state.json")
            var history = HealthHistory.load(path)
            let found = history.record(
                report.results,
                confirmAfter: inventory.health.confirmAfter,
                at: Date().timeIntervalSince1970
            )
            try history.save(path)
            Terminal.standardOutput.write(bytes: Array(ChangesFormat.text(found).utf8))
            if report.status != .ok { throw ExitCode(Int32(report.status.rawValue)) }
            return
        }
        switch self.json ? .json : self.format {
        case .nagios: Terminal.standardOutput.write(NagiosFormat.text(report, verbose: !self.quiet))
        case .json: Terminal.standardOutput.write(JSONFormat.text(report))
        case .prometheus:
            Terminal.standardOutput.write(
                PrometheusFormat.text(report, cluster: inventory.cluster, at: Date().timeIntervalSince1970)
            )
        }
        if report.status != .ok { throw ExitCode(Int32(report.status.rawValue)) }
    }
}
