import Foundation
import LurusRemote
import Subprocess
import SystemPackage

/// A no-op run of lurusctl's `base` against the same work for Ansible and pyinfra (`bench/compare`), on
/// the lab, in the same run: each tool converges once, then their no-op runs are timed in turn.
enum ComparisonBenchmark {
    static let tools = "/var/cache/lurusctl/bench-venv/bin"
    static let folder = "bench/compare"

    static func measure(inventoryPath path: String) async throws {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("lurusctl").path
        guard FileManager.default.isExecutableFile(atPath: "\(Self.tools)/ansible-playbook"),
            FileManager.default.isExecutableFile(atPath: "\(Self.tools)/pyinfra")
        else {
            throw BenchmarkError("no Ansible or pyinfra in \(Self.tools): run scripts/setup --bench (make bench does)")
        }
        print("no-op base against Ansible and pyinfra doing the same work, 4 lab nodes (bench/compare)")
        // Ansible needs Python on the nodes; lurusctl and pyinfra do not.
        let python = "command -v python3 >/dev/null || apt-get install -y -qq python3-minimal >/dev/null 2>&1"
        try await Self.check(try await Self.run(binary, ["exec", "-i", path, "--", python]), "installing python3")
        // Ansible keeps its connections between runs (ControlPersist); lurusctl does so when asked.
        let kept = try Benchmark.copy(of: path, adding: "control_persist: 1m", as: "bench-compare-persist.yaml")
        defer {
            try? FileManager.default.removeItem(atPath: kept)
            try? ControlDirectory.persistent().endMasters()
        }
        let runs: [(name: String, executable: String, arguments: [String], directory: String?)] = [
            ("lurusctl up --only base", binary, ["up", "-i", path, "--yes", "--only", "base"], nil),
            ("lurusctl up --only base, control_persist", binary, ["up", "-i", kept, "--yes", "--only", "base"], nil),
            ("pyinfra 3", "\(Self.tools)/pyinfra", ["-y", "inventory.py", "base_deploy.py"], Self.folder),
            ("Ansible (pipelining, ControlPersist)", "\(Self.tools)/ansible-playbook", ["base.yml"], Self.folder),
        ]
        for run in runs {
            try await Self.check(
                try await Self.run(run.executable, run.arguments, in: run.directory),
                "converging with \(run.name)"
            )
        }
        var samples: [[Duration]] = Array(repeating: [], count: runs.count)
        for _ in 0..<3 {
            for (index, run) in runs.enumerated() {
                let start = ContinuousClock.now
                try await Self.check(try await Self.run(run.executable, run.arguments, in: run.directory), run.name)
                samples[index].append(ContinuousClock.now - start)
            }
        }
        for (index, run) in runs.enumerated() {
            print(Benchmark.line("no-op \(run.name)", samples[index], target: nil))
        }
        let median = samples.map { Benchmark.milliseconds($0.sorted()[$0.count / 2]) }
        for (index, label) in [(0, "lurusctl"), (1, "lurusctl with control_persist")] {
            print(
                String(
                    format:
                        "%@ is %.1fx faster than pyinfra [target >= 4x] and %.1fx faster than Ansible [target >= 20x]",
                    label,
                    median[2] / median[index],
                    median[3] / median[index]
                )
            )
        }
    }

    static func run(
        _ executable: String,
        _ arguments: [String],
        in directory: String? = nil
    ) async throws
        -> ExecutionResult<Void, StringOutput<UTF8>, StringOutput<UTF8>>
    {
        try await Subprocess.run(
            .path(FilePath(executable)),
            arguments: Arguments(arguments),
            environment: .inherit.updating(["ANSIBLE_CONFIG": "ansible.cfg", "ANSIBLE_NOCOLOR": "1"]),
            workingDirectory: directory.map { FilePath($0) },
            output: .string(limit: 16 << 20),
            error: .string(limit: 16 << 20)
        )
    }

    static func check(
        _ result: ExecutionResult<Void, StringOutput<UTF8>, StringOutput<UTF8>>,
        _ what: String
    )
        async throws
    {
        guard result.terminationStatus.isSuccess else {
            let tail = (result.standardOutput + result.standardError).suffix(2000)
            throw BenchmarkError("\(what) failed: \(tail)")
        }
    }
}
