import Foundation
import Logging
import LurusInventory
import LurusRemote
import Subprocess
import SystemPackage

/// Figures against the local lab (`scripts/lab up` first). Prints figures; asserts nothing.
///
///     swift run -c release lurus-bench [inventory/lab.yaml]                 the transport
///     swift run -c release lurus-bench provisioning [inventory/lab.yaml]    plan and up
///     swift run -c release lurus-bench plan-scale [inventory/lab.yaml]      plan time, 18 and 518 resources
///     swift run -c release lurus-bench compare [inventory/lab.yaml]         no-op base against Ansible, pyinfra
///     swift run -c release lurus-bench deploy [inventory/lab.yaml]          deploy, rollback, the image
///     swift run -c release lurus-bench health [inventory/lab.yaml]          health: p50, p90, a hung service
@main
struct Benchmark {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst()
        if arguments.first == "provisioning" {
            try await ProvisioningBenchmark.measure(inventoryPath: arguments.dropFirst().first ?? "inventory/lab.yaml")
        } else if arguments.first == "deploy" {
            try await DeployBenchmark.measure(inventoryPath: arguments.dropFirst().first ?? "inventory/lab.yaml")
        } else if arguments.first == "health" {
            try await HealthBenchmark.measure(inventoryPath: arguments.dropFirst().first ?? "inventory/lab.yaml")
        } else if arguments.first == "compare" {
            try await ComparisonBenchmark.measure(inventoryPath: arguments.dropFirst().first ?? "inventory/lab.yaml")
        } else if arguments.first == "plan-scale" {
            let path = arguments.dropFirst().first ?? "inventory/lab.yaml"
            try await ProvisioningBenchmark.measurePlanScale(inventory: try InventoryLoader.load(path: path).inventory)
        } else {
            try await self.measure()
        }
    }

    /// Off the main actor, like the CLI's verbs.
    nonisolated static func measure() async throws {
        let path = CommandLine.arguments.dropFirst().first ?? "inventory/lab.yaml"
        let inventory = try InventoryLoader.load(path: path).inventory
        let logger = Logger(label: "bench")
        let node = inventory.nodes[0]
        print(
            "lurusctl transport benchmark: \(inventory.nodes.count) nodes from \(path), one command target \(node.name)"
        )

        // 1. Per-command cost over a warm master: through the node's agent (the default once a node has had
        //    a few commands), with one ssh session per command as before it, and plain ssh over the master.
        let samples = 200
        let ours = try await OpenSSHSession.with(inventory, logger: logger) { session in
            // Commands until the agent (started at the node's sixth) is ready.
            for _ in 0..<200 where await !session.nodesWithAgent.contains(node.name) {
                _ = try await session.run(RemoteCommand(shell: "true"), on: node)
            }
            guard await session.nodesWithAgent.contains(node.name) else {
                throw BenchmarkError("the agent on \(node.name) did not start")
            }
            return try await Self.time(samples) { _ = try await session.run(RemoteCommand(shell: "true"), on: node) }
        }
        var oneSessionEach = OpenSSHSession.Options()
        oneSessionEach.agent = .never
        let (perSession, plain, runner) = try await OpenSSHSession.with(
            inventory,
            options: oneSessionEach,
            logger: logger
        ) { session in
            _ = try await session.run(RemoteCommand(shell: "true"), on: node)
            let perSession = try await Self.time(samples) {
                _ = try await session.run(RemoteCommand(shell: "true"), on: node)
            }
            let plain = try await Self.time(samples) {
                _ = try await Subprocess.run(
                    .path("/usr/bin/ssh"),
                    arguments: ["-F", session.configFilePath, "lurusctl.\(node.name)", "true"],
                    output: .discarded
                )
            }
            // Where a session's time goes: ssh's own, then the runner on the node.
            let wrapped = String(
                decoding: Shell.render(RemoteRunner.wrap(Array("true".utf8), timeoutSeconds: 60, become: false)),
                as: UTF8.self
            )
            let runner = try await Self.time(samples) {
                _ = try await Subprocess.run(
                    .path("/usr/bin/ssh"),
                    arguments: ["-F", session.configFilePath, "lurusctl.\(node.name)", "--", wrapped],
                    output: .discarded
                )
            }
            return (perSession, plain, runner)
        }
        print(Self.line("run `true`, warm, through the node's agent (lurusctl)", ours, target: "target p50 <= 10 ms"))
        print(Self.line("run `true`, warm, one ssh session each (agent off)", perSession, target: nil))
        print(Self.line("ssh `true` over the same master (baseline)", plain, target: nil))
        print(Self.line("ssh over the same master, the runner's command line", runner, target: nil))

        // 2. `lurusctl exec -- true` on every node from cold: new masters, handshakes, close.
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("lurusctl").path
        let cold = try await Self.timeExec(binary, inventory: path, runs: 7)
        print(
            Self.line("lurusctl exec -- true on \(inventory.nodes.count) nodes, cold", cold, target: "target <= 300 ms")
        )

        // 2'. The floor of that on this machine: the same masters, commands and exits from a shell, no lurusctl.
        let floor = try await OpenSSHSession.with(inventory, logger: logger) { session in
            try await Self.time(7) {
                let script = """
                    for h in "$@"; do ssh -F "$0" -o ControlMaster=yes -o ControlPath=/tmp/lurus-floor-$h -fN lurusctl.$h & done; wait
                    for h in "$@"; do ssh -F "$0" -o ControlPath=/tmp/lurus-floor-$h lurusctl.$h true & done; wait
                    for h in "$@"; do ssh -F "$0" -o ControlPath=/tmp/lurus-floor-$h -O exit lurusctl.$h 2>/dev/null & done; wait
                    """
                let result = try await Subprocess.run(
                    .path("/bin/sh"),
                    arguments: Arguments(["-c", script, session.configFilePath] + inventory.nodes.map(\.name)),
                    output: .discarded
                )
                guard result.terminationStatus.isSuccess else { throw BenchmarkError("the shell floor failed") }
            }
        }
        print(
            Self.line("the same from a shell with plain ssh (masters, commands, exits in parallel)", floor, target: nil)
        )

        // 2a. The same with ssh's own key exchange (OpenSSH 9's post-quantum hybrid), for comparison.
        let postQuantum = try Self.copy(of: path, adding: "key_exchange: default", as: "bench-kex-default.yaml")
        defer { try? FileManager.default.removeItem(atPath: postQuantum) }
        let hybrid = try await Self.timeExec(binary, inventory: postQuantum, runs: 7)
        print(Self.line("the same with key_exchange: default (sntrup761x25519 first)", hybrid, target: nil))

        // 2b. The same with `ssh.control_persist`: the first run leaves its masters, the next ones reuse them.
        let kept = try Self.copy(of: path, adding: "control_persist: 1m", as: "bench-control-persist.yaml")
        defer { try? FileManager.default.removeItem(atPath: kept) }
        let warm = try await Self.timeExec(binary, inventory: kept, runs: 8).dropFirst().map { $0 }
        try ControlDirectory.persistent().endMasters()
        print(
            Self.line(
                "lurusctl exec -- true on \(inventory.nodes.count) nodes, connections kept (control_persist)",
                warm,
                target: nil
            )
        )

        // 3. A 100 MB upload, verified and renamed on the node.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bench-upload-\(getpid())")
        var bytes = [UInt8](repeating: 0, count: 100 << 20)
        for index in stride(from: 0, to: bytes.count, by: 4096) {
            bytes[index] = UInt8(truncatingIfNeeded: index >> 12)
        }
        try Data(bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let upload = try await OpenSSHSession.with(inventory, logger: logger) { session in
            _ = try await session.run(RemoteCommand(shell: "true"), on: node)
            let result = try await session.upload(.file(file.path), to: "/root/bench-upload.bin", on: node)
            _ = try await session.run(RemoteCommand(shell: "rm -f /root/bench-upload.bin"), on: node)
            return result
        }
        let seconds = Self.milliseconds(upload.duration) / 1000
        print(
            String(
                format: "upload 100 MiB (sha256 here and there, fsync, rename): %.2f s, %.0f MiB/s",
                seconds,
                100 / seconds
            )
        )
    }

    /// The wall time of each of `count` runs of `work`.
    static func time(_ count: Int, _ work: () async throws -> Void) async throws -> [Duration] {
        var samples: [Duration] = []
        for _ in 0..<count {
            let start = ContinuousClock.now
            try await work()
            samples.append(ContinuousClock.now - start)
        }
        return samples
    }

    /// The wall time of `lurusctl exec -- true` on every node of `inventory`, `runs` times.
    static func timeExec(_ binary: String, inventory: String, runs: Int) async throws -> [Duration] {
        var samples: [Duration] = []
        for _ in 0..<runs {
            let start = ContinuousClock.now
            let result = try await Subprocess.run(
                .path(FilePath(binary)),
                arguments: ["exec", "-i", inventory, "--", "true"],
                output: .discarded
            )
            guard result.terminationStatus.isSuccess else { throw BenchmarkError("lurusctl exec failed") }
            samples.append(ContinuousClock.now - start)
        }
        return samples
    }

    /// A copy of the inventory beside the lab's files (its relative paths still resolve, and `.lab/` is
    /// ignored by git) with `setting` added under `ssh:`.
    static func copy(of path: String, adding setting: String, as name: String) throws -> String {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        guard text.contains("\nssh:\n") else { throw BenchmarkError("\(path) has no top-level ssh: block") }
        let folder = (path as NSString).deletingLastPathComponent
        let copy = "\(folder.isEmpty ? "." : folder)/../.lab/\(name)"
        try text.replacingOccurrences(of: "\nssh:\n", with: "\nssh:\n  \(setting)\n")
            .write(toFile: copy, atomically: true, encoding: .utf8)
        return copy
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    static func line(_ label: String, _ samples: [Duration], target: String?) -> String {
        let sorted = samples.map(milliseconds).sorted()
        func percentile(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        let figures = String(
            format: "p50 %.1f ms, p90 %.1f ms, min %.1f ms (n=%d)",
            percentile(0.5),
            percentile(0.9),
            sorted[0],
            sorted.count
        )
        return "\(label): \(figures)" + (target.map { "  [\($0)]" } ?? "")
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
