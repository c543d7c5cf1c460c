import Foundation
import LurusInventory
import LurusRemote

/// Which services write to which backed-up store, and how to stop them while it is restored: data,
/// decided from the inventory alone. Pure.
public enum RestoreFence {
    /// The services that write to `component`'s databases.
    public static func writers(of component: BackupComponent) -> [Component] {
        switch component {
        case .postgres: [.billing, .provider]
        case .clickhouse: [.log]
        case .k3s: []
        }
    }

    /// One node's fence: the arguments of `fence.sh stop` there.
    public struct Step: Sendable, Hashable {
        public var node: Node
        public var arguments: [String]
    }

    /// The fence for restoring `components`: under systemd each node running a writer stops its units;
    /// under K3s the server scales the writers' deployments to zero.
    public static func steps(for components: [BackupComponent], inventory: Inventory) -> [Step] {
        let writers = Set(components.flatMap(self.writers(of:)))
        let names = Component.allCases.filter(writers.contains).map(\.name)
        guard !names.isEmpty else { return [] }
        switch inventory.runtime {
        case .k3s:
            guard let server = inventory.nodes(running: .k3sServer).first,
                writers.contains(where: { inventory.isPlaced($0) })
            else { return [] }
            let placed = Component.allCases.filter { writers.contains($0) && inventory.isPlaced($0) }.map(\.name)
            return [Step(node: server, arguments: ["k3s", "stop", "lurus"] + placed)]
        case .systemd:
            return inventory.nodes.compactMap { node in
                let here = Component.allCases.filter { writers.contains($0) && node.components.contains($0) }.map(
                    \.name
                )
                return here.isEmpty ? nil : Step(node: node, arguments: ["systemd", "stop"] + here)
            }
        }
    }

    /// The arguments that undo a step, from what its `stop` printed (`stopped UNIT`, `scaled NAME N`).
    public static func undo(_ step: Step, output: String) -> [String]? {
        let lines = output.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
        if step.arguments.first == "k3s" {
            let entries = lines.filter { $0.count == 3 && $0[0] == "scaled" }.map { "\($0[1])=\($0[2])" }
            return entries.isEmpty ? nil : ["k3s", "start", "lurus"] + entries
        }
        let units = lines.filter { $0.count == 2 && $0[0] == "stopped" }.map { $0[1] }
        return units.isEmpty ? nil : ["systemd", "start"] + units
    }
}

/// `lurusctl restore`'s work, under the cluster lock the caller holds: the writers fenced, each component
/// restored on its node (each copy proven against the manifest before it replaces the live one), the
/// writers started again whatever happened.
public struct RestoreRun: Sendable {
    public var check: CheckRun

    public init(_ check: CheckRun) { self.check = check }

    var run: BackupRun { self.check.run }

    public func restore(_ manifest: BackupManifest, only: [BackupComponent]) async throws -> [CheckRun.ComponentCheck] {
        let sealing = try self.check.sealing(of: manifest)
        let parts = manifest.components.filter {
            $0.component != .k3s && (only.isEmpty || only.contains($0.component))
        }
        let folder = self.check.layout.folder(of: manifest.id)
        return await self.fenced(parts) {
            await withTaskGroup(of: (Int, CheckRun.ComponentCheck).self) { group in
                for (index, part) in parts.enumerated() {
                    group.addTask { (index, await self.restore(part, folder: folder, sealing: sealing)) }
                }
                var done: [(Int, CheckRun.ComponentCheck)] = []
                for await check in group { done.append(check) }
                return done.sorted { $0.0 < $1.0 }.map(\.1)
            }
        }
    }

    /// A point-in-time recovery of PostgreSQL: `manifest`'s base backup, then the archived WAL replayed up
    /// to `target`, with billing and provider stopped meanwhile.
    public func pointInTime(_ manifest: BackupManifest, target: Date) async throws -> [CheckRun.ComponentCheck] {
        let sealing = try self.check.sealing(of: manifest)
        guard let part = manifest.component(.postgres), part.hasBase else {
            throw BackupError("backup \(manifest.id) has no PostgreSQL base backup")
        }
        let folder = self.check.layout.folder(of: manifest.id)
        return await self.fenced([part]) {
            let clock = ContinuousClock()
            let start = clock.now
            var check = CheckRun.ComponentCheck(starting: part)
            guard
                let job = ComponentJobs.pointInTime(
                    part,
                    target: PointInTime.recoveryTarget(target),
                    inventory: self.run.inventory,
                    folder: folder
                )
            else {
                check.problem = "nothing runs postgres in the inventory"
                return [check]
            }
            check.node = job.node.name
            do {
                let program = Data(try self.run.scripts.walArchive().utf8).base64EncodedString()
                await self.check.execute(
                    job,
                    part: part,
                    sealing: sealing,
                    extra: ["program\t\(program)"],
                    into: &check
                )
            } catch {
                check.problem = "\(error)"
            }
            check.elapsed = clock.now - start
            return [check]
        }
    }

    /// Runs `body` with the writers of `parts`' components stopped, and starts them again whatever
    /// happened (also after a Ctrl-C). When the fence itself fails nothing runs and every part says why.
    func fenced(
        _ parts: [ComponentBackup],
        _ body: @Sendable () async -> [CheckRun.ComponentCheck]
    ) async -> [CheckRun.ComponentCheck] {
        let steps = RestoreFence.steps(for: parts.map(\.component), inventory: self.run.inventory)
        var undo: [(Node, [String])] = []
        var checks: [CheckRun.ComponentCheck] = []
        do {
            for step in steps {
                self.run.say("stopping \(step.arguments.dropFirst(2).joined(separator: ", ")) on \(step.node.name)")
                let result = try await self.fence(step.arguments, on: step.node)
                if let arguments = RestoreFence.undo(step, output: String(decoding: result.stdout, as: UTF8.self)) {
                    undo.append((step.node, arguments))
                }
                guard result.succeeded else {
                    throw BackupError(
                        "stopping the writers on \(step.node.name): \(NodeStore.firstLine(result.stderr) ?? "\(result.outcome)")"
                    )
                }
            }
            checks = await body()
        } catch {
            // The fence failed: nothing was restored; every part says why.
            checks = parts.map { CheckRun.ComponentCheck(starting: $0, problem: "\(error)") }
        }
        // The writers come back whatever happened, also after a Ctrl-C.
        let started = undo
        await shieldedFromCancellation {
            for (node, arguments) in started {
                self.run.say("starting \(arguments.dropFirst(2).joined(separator: ", ")) on \(node.name)")
                do {
                    let result = try await self.fence(arguments, on: node)
                    if !result.succeeded {
                        self.run.say(
                            "warning: could not start them again on \(node.name): \(NodeStore.firstLine(result.stderr) ?? "")"
                        )
                    }
                } catch {
                    self.run.say("warning: could not start them again on \(node.name): \(error)")
                }
            }
        }
        return checks
    }

    func fence(_ arguments: [String], on node: Node) async throws -> CommandResult {
        let script = try self.run.scripts.templates.render("backup/fence.sh", [:])
        let command = RemoteCommand(
            ShellCommand(["bash", "-c", script, "lurus-fence"] + arguments),
            timeout: .seconds(300)
        )
        return try await self.run.transport.run(command, on: node)
    }

    func restore(
        _ part: ComponentBackup,
        folder: String,
        sealing: BackupScripts.Sealing
    ) async -> CheckRun.ComponentCheck {
        let clock = ContinuousClock()
        let start = clock.now
        var check = CheckRun.ComponentCheck(starting: part)
        guard let job = ComponentJobs.restore(part, inventory: self.run.inventory, folder: folder) else {
            check.problem = "nothing runs \(part.component.rawValue) in the inventory"
            return check
        }
        check.node = job.node.name
        await self.check.execute(job, part: part, sealing: sealing, into: &check)
        check.elapsed = clock.now - start
        return check
    }
}
