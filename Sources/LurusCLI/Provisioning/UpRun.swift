import ArgumentParser
import Foundation
import Logging
import LurusComponents
import LurusEngine
import LurusInventory
import LurusRemote

/// One `up` over an open session: lock, plan, confirm, apply, audit, unlock.
struct UpRun: Sendable {
    var inventory: Inventory
    var provisioning: Provisioning
    var reporter: RunReporter
    var redact: @Sendable (String) -> String
    /// Ask before applying (on a terminal, without --yes).
    var ask: Bool
    var lockWait: Duration?
    var logger: Logger

    /// The run's result; nil when the operator declined.
    func perform(session: OpenSSHSession, control: RunControl) async throws -> RunResult? {
        let start = Date()
        let engine = Engine(session: session, events: self.reporter.sink, redact: self.redact, logger: self.logger)
        // Planning only reads, so it runs while the lock is taken; a run that had to wait for the lock
        // plans after it instead, since the holder may have changed the nodes meanwhile.
        let holder: LockHolder
        let plan: LurusEngine.Plan
        if self.lockWait == nil {
            async let lock = self.lock(session)
            let early = await self.provisioning.plan(engine: engine)
            holder = try await lock
            plan = early
        } else {
            holder = try await self.lock(session)
            plan = await self.provisioning.plan(engine: engine)
        }
        self.show(plan)
        if plan.changeCount > 0, self.ask {
            let question = "Apply \(plan.changeCount) changes on \(plan.nodesWithChanges) nodes?"
            guard await Prompt.confirm(question, control: control) else {
                self.reporter.say("nothing applied")
                await Self.shielded {
                    try? await ClusterLock.release(holder, inventory: self.inventory, session: session)
                }
                return nil
            }
        }
        var applied = await engine.apply(plan, control: control)
        if plan.nodes.contains(where: { $0.units.contains { $0.unit.deferred } }), applied.succeeded {
            // Units that waited for a mesh address (Tailscale just came up): plan and apply them now.
            self.reporter.say("planning what waited for the mesh")
            let second = await self.provisioning.plan(engine: engine)
            self.show(second)
            let question = "Apply \(second.changeCount) more changes on \(second.nodesWithChanges) nodes?"
            var confirmed = second.changeCount == 0 || !self.ask
            if !confirmed { confirmed = await Prompt.confirm(question, control: control) }
            if confirmed {
                applied = applied.merging(await engine.apply(second, control: control))
            } else {
                self.reporter.say("the second pass was not applied; run `lurusctl up` again to finish")
            }
        }
        let result = applied
        if let note = await KubeconfigFetch.fetch(after: result, inventory: self.inventory, session: session) {
            self.reporter.say(note)
        }
        let record = self.auditRecord(result, start: start)
        await Self.shielded {
            await self.writeAudit(record, result: result, session: session)
            try? await ClusterLock.release(holder, inventory: self.inventory, session: session)
        }
        return result
    }

    /// Takes the cluster lock, or explains who holds it and exits 1.
    private func lock(_ session: OpenSSHSession) async throws -> LockHolder {
        do {
            return try await ClusterLock.acquire(
                command: "up",
                inventory: self.inventory,
                session: session,
                wait: self.lockWait
            )
        } catch {
            Terminal.standardError.write(self.redact("\(error)"))
            throw ExitCode(1)
        }
    }

    /// Prints the plan before applying it, in the run's format.
    private func show(_ plan: LurusEngine.Plan) {
        self.reporter.clear()
        let report = PlanReport(
            plan: plan,
            unprovisioned: self.provisioning.unprovisioned,
            style: Style(enabled: self.reporter.isLive)
        )
        if self.reporter.isJSON {
            for line in (try? report.jsonLines()) ?? [] { Terminal.standardOutput.write(self.redact(line)) }
        } else {
            Terminal.standardOutput.write(self.redact(report.text))
        }
    }

    private func auditRecord(_ result: RunResult, start: Date) -> AuditRecord {
        AuditRecord.make(
            command: CommandLine.arguments,
            inventoryPath: self.inventory.path,
            result: result.interrupted ? .interrupted : result.succeeded ? .ok : .failed,
            nodes: result.nodes.map { node in
                AuditNode(
                    name: node.node,
                    changed: node.changes.count,
                    failed: node.count(.failed),
                    changes: node.changes
                )
            },
            duration: Date().timeIntervalSince(start)
        )
    }

    /// Appends the record on every node something was done to (or failed on), and locally.
    private func writeAudit(_ record: AuditRecord, result: RunResult, session: OpenSSHSession) async {
        let touched = result.nodes.filter { !$0.changes.isEmpty || $0.count(.failed) > 0 || $0.count(.interrupted) > 0 }
        let nodes = touched.compactMap { self.inventory.node(named: $0.node) }
        _ = await NodeFanOut.results(nodes) { node in try await AuditLog.append(record, on: node, session: session) }
        do {
            try AuditLog.appendLocal(record, state: StateDirectory(for: self.inventory))
        } catch {
            Terminal.standardError.write("could not write the local audit log: \(error)")
        }
    }

    /// Runs clean-up that must happen even after a second Ctrl-C cancelled the run.
    static func shielded(_ work: @escaping @Sendable () async -> Void) async {
        await Task { await work() }.value
    }
}
