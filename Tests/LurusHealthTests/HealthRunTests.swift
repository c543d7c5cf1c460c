import Foundation
import LurusInventory
import LurusRemote
import LurusTestSupport
import Testing

@testable import LurusHealth

/// A whole run over a transport that runs each node's probe with this machine's own shell (as the node
/// would), except one node that never answers: the run ends by its deadline, that node is reported
/// critical, and the others' checks are read.
@Suite struct HealthRunTests {
    /// Runs the probe locally; `hung` nodes never answer (until cancelled).
    final class LocalTransport: NodeTransport {
        let hung: Set<String>

        init(hung: Set<String>) { self.hung = hung }

        func run(_ command: RemoteCommand, on node: Node, streaming sink: OutputSink?) async throws -> CommandResult {
            let start = ContinuousClock.now
            if self.hung.contains(node.name) {
                try await Task.sleep(for: .seconds(60))
            }
            guard case .bytes(let script) = command.input else { throw CancellationError() }
            let result = try await ProcessRunner.run("/bin/sh", ["-s"], input: script, timeout: 30)
            return CommandResult(
                node: node.name,
                outcome: .exited(result.status),
                stdout: Array(result.stdout.utf8),
                stderr: Array(result.stderr.utf8),
                duration: ContinuousClock.now - start
            )
        }

        func upload(
            _ source: RemoteInput,
            to path: String,
            mode: Int,
            owner: String?,
            on node: Node,
            timeout: Duration
        )
            async throws -> UploadResult
        {
            UploadResult(node: node.name, path: path, bytes: 0, sha256: "", duration: .zero)
        }
    }

    @Test func aNodeThatNeverAnswersIsReportedByTheDeadline() async throws {
        var inventory = try InventoryLoader.load(path: Repository.path("inventory/lab.yaml")).inventory
        // A long timeout: the other nodes' probes (this machine's sh) must answer within it even while the
        // whole suite runs beside them on two cores (seen taking over 3 s in CI).
        inventory.health.timeout = try #require(InventoryDuration.parse("10s"))
        var run = HealthRun(inventory: inventory, nodes: inventory.nodes, transport: LocalTransport(hung: ["heart"]))
        // Quick checks of this machine, read as the nodes' own (a node's plan would ask the lab's services).
        run.checks = { _, inventory, _ in
            [NodeChecks.memory, NodeChecks.clock] + NodeChecks.all(inventory.health).prefix(1)
        }
        let start = ContinuousClock.now
        let report = await run.run()
        let elapsed = ContinuousClock.now - start
        // heart would answer after 60 s: the run ends at its deadline, 11 s. The bound is loose: the tests
        // run hundreds at once on two cores, which delays every timer (lurus-bench health has the figures).
        #expect(elapsed < .seconds(40), "the run took \(elapsed), its deadline is 11 s")
        let heart = report.results.filter { $0.node == "heart" }
        #expect(heart.count == 1)
        #expect(heart.first?.status == .critical && heart.first?.summary == "no answer within 11s", "\(heart)")
        #expect(heart.first?.fix?.contains("A node is down") == true)
        // The others answered: this machine's memory, clock and disk were read as theirs.
        for node in ["brain", "monitor", "lab"] {
            let results = Dictionary(report.results.filter { $0.node == node }.map { ($0.check, $0) }) { a, _ in a }
            #expect(results["node"]?.status == .ok, "\(node): \(results)")
            #expect(results["clock"]?.status == .ok, "\(node): \(String(describing: results["clock"]))")
            #expect(results["memory"]?.summary.contains("available of") == true)
            #expect(results["disk"] != nil)
        }
        #expect(report.status == .critical)
    }
}
