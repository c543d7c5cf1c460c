import Foundation
import Logging
import LurusComponents
import LurusEngine
import LurusInventory
import LurusRemote
import Subprocess
import SystemPackage

/// Figures for `plan` and `up` against the lab: a no-op `up` (wall time and round trips per node, also with
/// many more resources), and the first `up` of base on all nodes against each node alone.
enum ProvisioningBenchmark {
    static func measure(inventoryPath path: String) async throws {
        let inventory = try InventoryLoader.load(path: path).inventory
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("lurusctl").path
        print("lurusctl provisioning benchmark: \(inventory.nodes.count) nodes from \(path)")

        // 1. First `up` of base on fresh hosts: all nodes at once, then each node alone on a fresh lab.
        try await self.freshLab()
        let all = try await self.time(binary, ["up", "-i", path, "--yes"])
        var alone: [(String, Duration)] = []
        for node in inventory.nodes {
            try await self.freshLab()
            alone.append((node.name, try await self.time(binary, ["up", "-i", path, "--yes", "--on", node.name])))
        }
        let slowest = alone.max { $0.1 < $1.1 }!
        print(
            "first up of base: all \(inventory.nodes.count) nodes \(Self.seconds(all)); each alone "
                + alone.map { "\($0.0) \(Self.seconds($0.1))" }.joined(separator: ", ")
                + String(
                    format: "; all / slowest alone = %.2f",
                    Benchmark.milliseconds(all) / Benchmark.milliseconds(slowest.1)
                )
        )

        // 2. No-op `up` (everything converged first), the whole command from process start to exit.
        _ = try await self.time(binary, ["up", "-i", path, "--yes"])
        var noOp: [Duration] = []
        for _ in 0..<9 { noOp.append(try await self.time(binary, ["up", "-i", path, "--yes"])) }
        print(
            Benchmark.line(
                "no-op up on \(inventory.nodes.count) nodes (lock, facts, probe, audit)",
                noOp,
                target: "target <= 1 s"
            )
        )

        try await self.measurePlanScale(inventory: inventory)
    }

    /// Plan time and round trips per node with base alone, and with 500 more resources per node: the
    /// probe should cost about one round trip whatever a node holds.
    static func measurePlanScale(inventory: Inventory) async throws {
        let logger = Logger(label: "bench")
        let templates = try await TemplateLibrary(directory: "templates")
        for extra in [0, 500] {
            let (trips, resources, duration) = try await OpenSSHSession.with(inventory, logger: logger) { session in
                let catalog = ComponentCatalog(inventory: inventory, templates: templates)
                var units: [(node: Node, units: [WorkUnit])] = []
                for node in inventory.nodes {
                    let facts = ClusterFacts([node.name: try await session.facts(of: node)])
                    var nodeUnits = try catalog.units(on: node, facts: facts, only: .base)
                    let files = (0..<extra).map {
                        Resource(.file(File(path: "/tmp/bench-\($0)", text: "\($0)\n")), component: "bench")
                    }
                    nodeUnits.append(WorkUnit(id: UnitID(node: node.name, component: "bench"), resources: files))
                    units.append((node, nodeUnits))
                }
                let start = ContinuousClock.now
                let plan = await Engine(transport: session).plan(units)
                let elapsed = ContinuousClock.now - start
                if let failure = plan.failures.first { throw BenchmarkError("\(failure.node): \(failure.message)") }
                let count = plan.nodes.first.map { $0.units.reduce(0) { $0 + $1.changes.count + $1.unchanged } } ?? 0
                return (await session.roundTrips, count, elapsed)
            }
            let perNode = inventory.nodes.map { "\($0.name) \(trips[$0.name] ?? 0)" }.joined(separator: ", ")
            print(
                "plan with \(resources) resources per node: round trips per node (facts + probe) \(perNode); probe of all nodes \(Self.seconds(duration))"
            )
        }
    }

    static func freshLab() async throws {
        for verb in ["down", "up"] {
            let result = try await Subprocess.run(
                .path("scripts/lab"),
                arguments: [verb],
                output: .discarded,
                error: .discarded
            )
            guard result.terminationStatus.isSuccess else { throw BenchmarkError("scripts/lab \(verb) failed") }
        }
    }

    static func time(_ binary: String, _ arguments: [String]) async throws -> Duration {
        let start = ContinuousClock.now
        let result = try await Subprocess.run(
            .path(FilePath(binary)),
            arguments: Arguments(arguments),
            output: .discarded,
            error: .discarded
        )
        guard result.terminationStatus.isSuccess else {
            throw BenchmarkError("lurusctl \(arguments.joined(separator: " ")) failed")
        }
        return ContinuousClock.now - start
    }

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.2f s", Benchmark.milliseconds(duration) / 1000)
    }
}
