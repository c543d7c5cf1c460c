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
            finish. It then deploys the bundled services as `lurusctl deploy` does (systemd slots or K3s \
            rollouts). Every run is recorded in the audit log (lurusctl audit). Exits 0 when everything \
            succeeded, 1 on any failure, 130 when interrupted.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var remote: RemoteOptions
    @OptionGroup var provision: ProvisionOptions

    @Flag(help: "Apply without asking, also on a terminal.")
    var yes = false

    @OptionGroup var lockWait: LockWaitOption

    func validate() throws {
        _ = try self.provision.component
    }

    func run() async throws {
        let logger = self.global.makeLogger()
        let inventory = try self.global.loadInventory(logger: logger)
        let (provisioning, redactor) = try await self.provision.prepare(inventory, remote: self.remote, deploying: true)
        let json = self.provision.json
        try await ProvisionRun(
            verb: "up",
            inventory: inventory,
            provisioning: provisioning,
            redactor: redactor,
            printer: self.provision.printer(provisioning, redactor: redactor),
            json: json,
            yes: self.yes,
            lockWait: self.lockWait.duration,
            sessionOptions: self.remote.sessionOptions,
            logger: logger,
            release: { reporter in
                try await ReleasePreparation.step(
                    provisioning,
                    services: provisioning.deployedServices,
                    reporter: reporter,
                    redactor: redactor,
                    json: json
                )
            }
        ).run()
    }
}
