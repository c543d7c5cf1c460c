import Foundation
import LurusInventory
import LurusRelease
import LurusTestSupport
import Subprocess
import SystemPackage

/// Figures for `deploy` and `rollback` against the lab (`make demo` or `lurusctl up` first, with the lab's
/// upstream running): an unchanged deploy, a new release from built binary to serving, the bytes shipped,
/// requests during a deploy at a steady load, a rollback, and the OCI image of the gateway.
enum DeployBenchmark {
    static func measure(inventoryPath path: String) async throws {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("lurusctl").path
        print("lurusctl deploy benchmark: the gateway on brain, from \(path)")
        // Two releases, both built before anything is measured: the repository's, and the same with one
        // more line (another release id).
        let second = try self.variant()
        _ = try await self.deploy(binary, path, services: second)
        _ = try await self.deploy(binary, path, services: nil)

        // 1. Unchanged.
        var unchanged: [Duration] = []
        for _ in 0..<7 { unchanged.append(try await self.deploy(binary, path, services: nil).elapsed) }
        print(Benchmark.line("unchanged deploy (build check, host setup, plan)", unchanged, target: "goal <= 1.5 s"))

        // 2. A new release from built binary to serving: the node lacks it, so it is shipped, unpacked,
        //    started, gated and switched to. Alternating releases, each removed from the node before.
        var fresh: [Duration] = []
        var shipped = 0
        for round in 0..<4 {
            let services = round % 2 == 0 ? second : nil
            try await self.forgetRollbackTarget(binary, path)
            let run = try await self.deploy(binary, path, services: services)
            fresh.append(run.elapsed)
            shipped = max(shipped, run.shipped)
        }
        print(Benchmark.line("new release, built binary to serving", fresh, target: "goal <= 10 s"))
        print("bytes shipped per node for a new release: \(shipped) (\(DeployPlan.megabytes(shipped)), gzip)")

        // 3. Requests during a deploy at a steady load (six clients through brain's haproxy).
        for round in 0..<2 {
            let stop = "/tmp/lurus-bench-load.stop"
            try? FileManager.default.removeItem(atPath: stop)
            async let load = Subprocess.run(
                .path("/var/cache/lurusctl/venv/bin/python"),
                arguments: [
                    "scripts/test/http-load", "http://10.77.0.11:18100/v1/chat/completions", "sk-lurus-lab-demo", "6",
                    stop,
                ],
                output: .string(limit: 1 << 16),
                error: .discarded
            )
            try await Task.sleep(for: .seconds(2))
            _ = try await self.deploy(binary, path, services: round % 2 == 0 ? second : nil)
            try await Task.sleep(for: .seconds(2))
            _ = FileManager.default.createFile(atPath: stop, contents: nil)
            print("deploy at a steady load (6 clients): \((try await load).standardOutput)", terminator: "")
        }

        // 4. Rollback (to the release that served before), three times.
        var rollbacks: [Duration] = []
        for _ in 0..<3 {
            let start = ContinuousClock.now
            try await self.run(binary, ["rollback", "gateway", "-i", path, "--yes"], services: nil)
            rollbacks.append(ContinuousClock.now - start)
        }
        print(Benchmark.line("rollback", rollbacks, target: nil))

        try await self.measureImage()
    }

    /// The OCI image of the gateway's cached binary: time to write it, and its size.
    static func measureImage() async throws {
        let cache = BuildCache.standard()
        let releases = try FileManager.default.contentsOfDirectory(
            atPath: cache.root.appendingPathComponent("releases").path
        )
        guard let id = releases.compactMap(ReleaseID.init).first else {
            throw BenchmarkError("no release in \(cache.root.path)")
        }
        let binary = FilePath(cache.binary("lurus-gateway", of: id).path)
        let output = FilePath("/tmp/lurus-bench-image.tar")
        var times: [Duration] = []
        for _ in 0..<3 {
            let start = ContinuousClock.now
            let files = try await LddProbe.serviceImageFiles(binary: binary, at: "/usr/local/bin/lurus-gateway")
            let image = ImageDescription(
                name: "lurus.local/gateway:\(id)",
                configuration: ImageConfiguration(entrypoint: ["/usr/local/bin/lurus-gateway"]),
                files: files
            )
            _ = try await OCIImageWriter(image).write(to: output)
            times.append(ContinuousClock.now - start)
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: output.string)[.size] as? Int) ?? 0
        try? FileManager.default.removeItem(atPath: output.string)
        print(Benchmark.line("OCI image of the gateway (ldd, layer, layout tar)", times, target: nil))
        print("image size: \(size) bytes (\(DeployPlan.megabytes(size)), one uncompressed layer)")
    }

    struct Run {
        var elapsed: Duration
        var shipped: Int
    }

    static func deploy(_ binary: String, _ path: String, services: String?) async throws -> Run {
        let start = ContinuousClock.now
        let output = try await self.run(binary, ["deploy", "-i", path, "--yes", "--json"], services: services)
        let elapsed = ContinuousClock.now - start
        let summary = output.split(separator: "\n").last { $0.contains("\"deploy_summary\"") } ?? ""
        let object = try? JSONSerialization.jsonObject(with: Data(summary.utf8)) as? [String: Any]
        return Run(elapsed: elapsed, shipped: object?["shipped_bytes"] as? Int ?? 0)
    }

    /// Removes the release that does not serve (the rollback target, which the next deploy goes to) from
    /// brain, so that the deploy ships it again.
    static func forgetRollbackTarget(_ binary: String, _ path: String) async throws {
        let listed = try await self.run(binary, ["releases", "-i", path, "--json"], services: nil)
        let target =
            listed.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }.first { $0["role"] as? String == "rollback" }?["release"] as? String
        guard let target else { throw BenchmarkError("no rollback target on brain") }
        let remove = "rm -rf /opt/lurus/gateway/releases/\(target) /opt/lurus/gateway/deployments/\(target)-*"
        try await self.run(binary, ["exec", "-i", path, "--on", "brain", "--", remove], services: nil)
    }

    @discardableResult
    static func run(_ binary: String, _ arguments: [String], services: String?) async throws -> String {
        var environment = Environment.inherit
        if let services { environment = environment.updating(["LURUS_SERVICES": services]) }
        let result = try await Subprocess.run(
            .path(FilePath(binary)),
            arguments: Arguments(arguments),
            environment: environment,
            output: .string(limit: 1 << 22),
            error: .string(limit: 1 << 20)
        )
        guard result.terminationStatus.isSuccess else {
            throw BenchmarkError("lurusctl \(arguments.joined(separator: " ")) failed: \(result.standardError)")
        }
        return result.standardOutput
    }

    /// The services with one more line in the gateway's main.swift, in /tmp: the lab tests' second release
    /// (ServiceDeployLabTests), so that it is in the build cache already.
    static func variant() throws -> String {
        try ReleaseVariant.make("second", line: "// The lab tests' second release.")
    }
}
