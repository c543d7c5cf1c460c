import Foundation
import LurusInventory
import Subprocess
import SystemPackage

/// Figures for `lurusctl health` against the lab (up, with its services): a run as cron makes it (a fresh
/// process, connections opened), and with kept connections (`ssh.control_persist`); then the worst case, a
/// hung Redis on heart (SIGSTOP: connections are taken and never answered), against the deadline.
enum HealthBenchmark {
    static func measure(inventoryPath path: String) async throws {
        let inventory = try InventoryLoader.load(path: path).inventory
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("lurusctl").path
        let timeout = Double(inventory.health.timeout.milliseconds) / 1000
        print("lurusctl health benchmark: \(inventory.nodes.count) nodes from \(path), health.timeout \(timeout)s")

        let cold = try await self.runs(binary, path, 20)
        print(Benchmark.line("health, a fresh process each run (cron)", cold, target: "goal p50 <= 1 s"))
        let kept = try Benchmark.copy(of: path, adding: "control_persist: 10m", as: "lab-health-persist.yaml")
        _ = try await self.runs(binary, kept, 1)
        let warm = try await self.runs(binary, kept, 20)
        print(Benchmark.line("health, connections kept (ssh.control_persist)", warm, target: "goal p50 <= 1 s"))

        try await self.exec(binary, path, "heart", "kill -STOP $(pidof redis-server)")
        let hung: [Duration]
        do {
            hung = try await self.runs(binary, path, 5, expectOK: false)
        } catch {
            try await self.exec(binary, path, "heart", "kill -CONT $(pidof redis-server)")
            throw error
        }
        try await self.exec(binary, path, "heart", "kill -CONT $(pidof redis-server)")
        print(Benchmark.line("health with Redis hung", hung, target: "goal <= timeout + 1 s = \(timeout + 1) s"))
    }

    static func runs(
        _ binary: String,
        _ inventory: String,
        _ count: Int,
        expectOK: Bool = true
    ) async throws
        -> [Duration]
    {
        try await Benchmark.time(count) {
            let result = try await Subprocess.run(
                .path(FilePath(binary)),
                arguments: ["health", "-i", inventory, "--quiet"],
                output: .string(limit: 1 << 20),
                error: .discarded
            )
            if expectOK, !result.terminationStatus.isSuccess {
                throw BenchmarkError("lurusctl health did not say OK: \(result.standardOutput)")
            }
        }
    }

    static func exec(_ binary: String, _ inventory: String, _ node: String, _ command: String) async throws {
        let result = try await Subprocess.run(
            .path(FilePath(binary)),
            arguments: ["exec", "-i", inventory, "--on", node, "--", command],
            output: .discarded
        )
        guard result.terminationStatus.isSuccess else { throw BenchmarkError("lurusctl exec \(command) failed") }
    }
}
