import Foundation
import Logging
import LurusEngine
import LurusInventory
import LurusRemote
import LurusTestSupport
import Synchronization
import Testing

extension LabIntegrationTests {
    /// The engine itself against the lab, with units made here: the cross-node order, failure isolation, a
    /// node lost mid-run, and secrets travelling only by stdin and 0600 files.
    @Suite struct EngineLabTests {
        let logger = Logger(label: "test")

        /// Collects events, for assertions.
        final class Events: Sendable {
            let list = Mutex<[EngineEvent]>([])
            var sink: EventSink { { event in self.list.withLock { $0.append(event) } } }
            var all: [EngineEvent] { self.list.withLock { $0 } }
        }

        func run(
            _ inventory: Inventory,
            _ units: [(node: Node, units: [WorkUnit])],
            events: Events = Events()
        )
            async throws -> (plan: LurusEngine.Plan, result: RunResult)
        {
            try await OpenSSHSession.with(inventory, logger: self.logger) { session in
                let engine = Engine(transport: session, events: events.sink)
                let plan = await engine.plan(units)
                return (plan, await engine.apply(plan, control: RunControl()))
            }
        }

        static func unit(
            _ node: String,
            _ component: String,
            _ kinds: [Resource.Kind],
            after: [UnitID] = []
        ) -> WorkUnit {
            WorkUnit(
                id: UnitID(node: node, component: component),
                resources: kinds.map { Resource($0, component: component) },
                after: after
            )
        }

        /// A failing step on one node skips what depends on it (there and on another node) and nothing else.
        @Test func failureStopsOnlyItsDependents() async throws {
            let inventory = try await LabIntegrationTests.labInventory()
            let (brain, heart, lab) = (inventory.nodes[0], inventory.nodes[1], inventory.nodes[3])
            let stamp = UUID().uuidString
            let marker = { (name: String) in
                Resource.Kind.file(File(path: "/tmp/engine-\(stamp)-\(name)", text: "\(name)\n"))
            }
            let failing = Command("fail on purpose", ShellCommand(["sh", "-c", "echo broken >&2; exit 3"]))
            let units: [(node: Node, units: [WorkUnit])] = [
                (
                    heart,
                    [
                        Self.unit("heart", "first", [.command(failing)]),
                        Self.unit("heart", "independent", [marker("independent")]),
                    ]
                ),
                (
                    brain,
                    [
                        Self.unit(
                            "brain",
                            "dependent",
                            [marker("dependent")],
                            after: [UnitID(node: "heart", component: "first")]
                        )
                    ]
                ),
                (lab, [Self.unit("lab", "other", [marker("other")])]),
            ]
            let (plan, result) = try await self.run(inventory, units)
            #expect(plan.changeCount == 4)
            let statuses = Dictionary(
                uniqueKeysWithValues: result.nodes.flatMap(\.units).map { ($0.unit.component, $0.status) }
            )
            #expect(statuses == ["first": .failed, "independent": .changed, "dependent": .skipped, "other": .changed])
            let first = result.nodes.flatMap(\.units).first { $0.unit.component == "first" }
            #expect(first?.message?.contains("broken") == true)
            let dependent = result.nodes.flatMap(\.units).first { $0.unit.component == "dependent" }
            #expect(dependent?.message == "not started: it needs first on heart, which failed")
            #expect(!result.succeeded)
            let check = try await ProcessRunner.shell(
                "ssh -F \(Repository.path(".lab/ssh/config")) brain 'test -e /tmp/engine-\(stamp)-dependent'; echo $?"
            )
            #expect(check.stdout == "1\n", "the skipped unit must not have run")
        }

        /// Secrets reach the node only as a 0600 file's content and a command's stdin: never in an event, a
        /// plan, a command line on either machine.
        @Test func secretsTravelOnlyByStdinAndPrivateFiles() async throws {
            let inventory = try await LabIntegrationTests.labInventory()
            let heart = inventory.nodes[1]
            let secret = "lurus-secret-\(UUID().uuidString)"
            let path = "/etc/lurus-test-\(UUID().uuidString).token"
            let file = File(path: path, text: "\(secret)\n", mode: 0o600, sensitive: true)
            // The command holds the secret on stdin for two seconds, while both process lists are read.
            let command = Command(
                "use secret",
                ShellCommand(["sh", "-c", "sleep 2; cat > /dev/null"]),
                input: Array(secret.utf8),
                sensitive: true
            )
            let units = [(heart, [Self.unit("heart", "secretive", [.file(file), .command(command)])])]
            let events = Events()
            async let outcome = self.run(inventory, units, events: events)
            try await Task.sleep(for: .milliseconds(1200))
            let local = try await ProcessRunner.shell("ps -eo args")
            let remote = try await ProcessRunner.shell("ssh -F \(Repository.path(".lab/ssh/config")) heart ps -eo args")
            let (plan, result) = try await outcome
            #expect(result.succeeded)
            #expect(!local.stdout.contains(secret) && !remote.stdout.contains(secret))
            #expect(remote.stdout.contains("sleep 2"), "the process list was read while the command ran")
            let described = "\(plan.nodes) \(events.all) \(result)"
            #expect(!described.contains(secret))
            let mode = try await ProcessRunner.shell(
                "ssh -F \(Repository.path(".lab/ssh/config")) heart \"stat -c %a \(path); cat \(path); rm -f \(path)\""
            )
            #expect(mode.stdout == "600\n\(secret)\n")
            // A changed secret is planned as a hidden change.
            let changed = File(path: path, text: "other\n", mode: 0o600, sensitive: true)
            let replan = try await OpenSSHSession.with(inventory, logger: self.logger) { session in
                await Engine(transport: session).plan([
                    (heart, [Self.unit("heart", "s", [.file(changed)])])
                ])
            }
            #expect(replan.nodes.first?.units.first?.changes.first?.difference.content == .hidden)
        }

        /// A node that reboots in the middle of a run is reported as lost, what remains on it is skipped, and
        /// a rerun finishes it.
        @Test func nodeRebootingMidRunIsReportedAndARerunFinishes() async throws {
            let inventory = try await LabIntegrationTests.labInventory()
            let monitor = inventory.nodes[2]
            let stamp = UUID().uuidString
            let reboot = Command(
                "reboot once",
                ShellCommand(["sh", "-c", "touch /var/tmp/rebooted-\(stamp); sync; systemctl reboot; sleep 60"]),
                creates: "/var/tmp/rebooted-\(stamp)"
            )
            let after = File(path: "/var/tmp/after-reboot-\(stamp)", text: "done\n")
            let units = [
                (
                    monitor,
                    [
                        Self.unit("monitor", "rebooting", [.command(reboot)]),
                        Self.unit("monitor", "later", [.file(after)]),
                    ]
                )
            ]
            let (_, first) = try await self.run(inventory, units)
            let results = first.nodes[0].units
            #expect(results.map(\.status) == [.failed, .skipped], "\(results)")
            #expect(results[1].message?.contains("lost") == true, "\(results)")
            // Wait for the node to come back, then run again: the guard holds, the rest is done.
            var back = false
            for _ in 0..<60 where !back {
                try await Task.sleep(for: .milliseconds(500))
                back =
                    (try await ProcessRunner.shell("ssh -F \(Repository.path(".lab/ssh/config")) monitor true")).status
                    == 0
            }
            #expect(back, "monitor did not come back within 30 s")
            let (_, second) = try await self.run(inventory, units)
            #expect(second.nodes[0].units.map(\.status) == [.unchanged, .changed], "\(second.nodes[0].units)")
        }
    }
}
