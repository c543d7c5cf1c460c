import Foundation
import LurusTestSupport
import Testing

extension LabIntegrationTests {
    /// `deploy`, `rollback` and `releases` on the lab: the gateway built, shipped to brain, switched behind
    /// its health gate with load running through it, a release that cannot start refused, rollbacks, the
    /// releases kept, Ctrl-C and an unreachable node. The other releases are the repository's services with
    /// one line added to the gateway's `main.swift` (`ReleaseVariant`), so each has its own release id.
    @Suite(.serialized) struct ServiceDeployLabTests {
        typealias Commands = ProvisioningCommandTests

        /// The lab up with its upstream and `up` applied (components and the gateway).
        static func labWithServices() async throws {
            try await LabIntegrationTests.ensureLabUp()
            let upstream = try await ProcessRunner.run(
                Repository.path("scripts/lab"),
                ["upstream", "start"],
                timeout: 900
            )
            try #require(upstream.status == 0, "scripts/lab upstream start failed: \(upstream)")
            let up = try await Commands.lurusctl(["up", "-i", "inventory/lab.yaml", "--yes"], timeout: 1800)
            try #require(up.status == 0, "\(up)")
        }

        static func deploy(_ services: String? = nil, _ arguments: [String] = []) async throws -> ProcessRunner.Result {
            try await Commands.lurusctl(
                ["deploy", "-i", "inventory/lab.yaml", "--yes"] + arguments,
                environment: services.map { ["LURUS_SERVICES": $0] } ?? [:],
                timeout: 1800
            )
        }

        /// `deploy --json` of `services` with the load running from when its plan is shown (the build
        /// before it, which may compile, runs unloaded) until it ends.
        static func deployUnderLoad(_ services: String) async throws -> (ProcessRunner.Result, LoadRun.Figures) {
            let log = "/tmp/lurus-deploy-load.log"
            let deploy = Process()
            deploy.executableURL = URL(fileURLWithPath: Repository.lurusctl)
            deploy.arguments = ["deploy", "-i", "inventory/lab.yaml", "--yes", "--json"]
            deploy.currentDirectoryURL = Repository.root
            var environment = ProcessInfo.processInfo.environment
            environment["LURUS_SERVICES"] = services
            environment["LURUS_BUILD_CACHE"] = environment["LURUS_BUILD_CACHE"] ?? "/var/cache/lurusctl"
            deploy.environment = environment
            FileManager.default.createFile(atPath: log, contents: nil)
            FileManager.default.createFile(atPath: log + ".err", contents: nil)
            deploy.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            deploy.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log + ".err"))
            try deploy.run()
            var load: LoadRun?
            while deploy.isRunning {
                if load == nil, (try? String(contentsOfFile: log, encoding: .utf8))?.contains("deploy_plan") == true {
                    load = try LoadRun.start()
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            let errors = (try? String(contentsOfFile: log + ".err", encoding: .utf8)) ?? ""
            let result = ProcessRunner.Result(status: deploy.terminationStatus, stdout: text, stderr: errors)
            let running = try #require(load, "the deploy showed no plan: \(text)")
            return (result, try await running.stop())
        }

        /// What `releases --json` says for the gateway on brain: (deployment, release, role) newest first.
        /// (Each release holds all four services; the others are listed too.)
        static func releases() async throws -> [(deployment: String, release: String, role: String)] {
            let listed = try await Commands.lurusctl(["releases", "-i", "inventory/lab.yaml", "--json"])
            try #require(listed.status == 0, "\(listed)")
            return try Commands.jsonObjects(listed.stdout).filter { $0["service"] as? String == "gateway" }.map {
                ($0["deployment"] as? String ?? "", $0["release"] as? String ?? "", $0["role"] as? String ?? "")
            }
        }

        static func serving() async throws -> String? {
            try await self.releases().first { $0.role == "serving" }?.release
        }

        /// One chat completion with the official OpenAI SDK through brain's proxy.
        static func ask() async throws -> ProcessRunner.Result {
            try await ProcessRunner.run(
                "/var/cache/lurusctl/venv/bin/python",
                [Repository.path("scripts/test/sdk-ask"), "http://10.77.0.11:18100/v1", "gpt-4o-mini"],
                environment: ["LURUS_CLIENT_KEY": "sk-lurus-lab-demo"],
                timeout: 60
            )
        }

        /// When each slot's instance last started (systemd's monotonic time), to tell a restart.
        func starts() async throws -> String {
            let shown = try await ProcessRunner.run(
                "/usr/bin/ssh",
                [
                    "-F", Commands.config, "brain",
                    "systemctl show -p ActiveEnterTimestampMonotonic lurus-gateway@blue lurus-gateway@green",
                ],
                timeout: 60
            )
            return shown.stdout
        }

        @Test func deployUnderLoadAGateThatRefusesRollbacksAndPruning() async throws {
            try await Self.labWithServices()
            let first = try #require(try await Self.serving(), "up deployed no gateway")
            let answer = try await Self.ask()
            #expect(answer.stdout.contains("answer='Hello from fake!'"), "\(answer)")

            // Unchanged: nothing shipped, nothing restarted.
            let before = try await self.starts()
            let unchanged = try await Self.deploy(nil, ["--json"])
            #expect(unchanged.status == 0, "\(unchanged)")
            let summary = try Commands.deploySummary(unchanged.stdout)
            #expect(summary["switched"] as? Int == 0 && summary["shipped_bytes"] as? Int == 0, "\(summary)")
            #expect(try await self.starts() == before, "an unchanged deploy restarted the gateway")

            // A new release under steady load: no request fails.
            let second = try ReleaseVariant.make("second", line: "// The lab tests' second release.")
            let (switched, figures) = try await Self.deployUnderLoad(second)
            #expect(switched.status == 0, "\(switched)")
            // A release is the services package: all four switch (provider, billing, gateway on brain, log on lab).
            #expect(try Commands.deploySummary(switched.stdout)["switched"] as? Int == 4)
            #expect(figures.requests > 50, "\(figures)")
            #expect(figures.failed == 0, "requests failed during the switch: \(figures)")
            print("deploy under load: \(figures)")
            let secondID = try #require(try await Self.serving())
            #expect(secondID != first)
            #expect(try await Self.releases().first { $0.role == "rollback" }?.release == first)

            // A release that cannot start: refused at the gate, the error says why, the old one serves on.
            let broken = try ReleaseVariant.make(
                "broken",
                line: "import Foundation\n"
                    + #"FileHandle.standardError.write(Data("lab test: this release cannot start\n".utf8))"#
                    + "\nexit(3)",
                atTop: true
            )
            let refused = try await Self.deploy(broken)
            let output = refused.stdout + refused.stderr
            #expect(refused.status == 1, "\(refused)")
            #expect(output.contains("the new release did not pass its health check"), "\(output)")
            #expect(output.contains("lab test: this release cannot start"), "the log tail is shown: \(output)")
            #expect(output.contains("ExecMainStatus=3"), "the exit status is shown: \(output)")
            #expect(try await Self.serving() == secondID)
            #expect(try await Self.releases().first { $0.role == "rollback" }?.release == first)
            #expect(try await Self.ask().stdout.contains("Hello from fake!"))

            // Back to the first release, then forward again by id.
            let back = try await Commands.lurusctl(["rollback", "gateway", "-i", "inventory/lab.yaml", "--yes"])
            #expect(back.status == 0, "\(back)")
            #expect(try await Self.serving() == first)
            #expect(try await Self.ask().stdout.contains("Hello from fake!"))
            let forward = try await Commands.lurusctl([
                "rollback", "gateway", "--to", secondID, "-i", "inventory/lab.yaml", "--yes",
            ])
            #expect(forward.status == 0, "\(forward)")
            #expect(try await Self.serving() == secondID)
            let nowhere = try await Commands.lurusctl([
                "rollback", "gateway", "--to", "000000000000", "-i", "inventory/lab.yaml", "--yes",
            ])
            #expect(
                nowhere.status == 1 && nowhere.stdout.contains("release 000000000000 is not kept here"),
                "\(nowhere)"
            )

            // A fourth release: the lab keeps 3; the serving one and the rollback target stay.
            let fourth = try ReleaseVariant.make("fourth", line: "// The lab tests' fourth release.")
            let pruned = try await Self.deploy(fourth)
            #expect(pruned.status == 0, "\(pruned)")
            let kept = try await ProcessRunner.run(
                "/usr/bin/ssh",
                ["-F", Commands.config, "brain", "ls /opt/lurus/gateway/releases"],
                timeout: 60
            )
            let releases = kept.stdout.split(separator: "\n").map(String.init)
            #expect(releases.count == 3, "\(kept)")
            #expect(releases.contains(secondID), "the rollback target was pruned: \(releases)")
            #expect(!releases.contains(first), "the oldest release is kept: \(releases)")
            let fourthID = try #require(try await Self.serving())
            #expect(releases.contains(fourthID))
            #expect(try await Self.releases().first { $0.role == "rollback" }?.release == secondID)
        }

        /// Two Ctrl-C during a deploy abort the switch under way; the lock is released, the gateway still
        /// answers, and a rerun finishes.
        @Test func anInterruptedDeployIsFinishedByARerun() async throws {
            try await Self.labWithServices()
            let other = try ReleaseVariant.make("second", line: "// The lab tests' second release.")
            let serving = try #require(try await Self.serving())
            let target = try await Self.deploy(other, ["--json"])
            #expect(target.status == 0, "\(target)")
            let goal = try #require(try await Self.serving())
            let back = try await Commands.lurusctl(["rollback", "gateway", "-i", "inventory/lab.yaml", "--yes"])
            #expect(back.status == 0, "\(back)")
            let servingAgain = try await Self.serving()
            #expect(servingAgain == serving)
            let script = """
                LURUS_SERVICES=\(other) \(Repository.lurusctl) deploy -i inventory/lab.yaml --yes > /tmp/lurus-deploy-int.log 2>&1 &
                pid=$!
                for i in $(seq 300); do grep -q 'starting' /tmp/lurus-deploy-int.log && break; sleep 0.05; done
                kill -INT $pid; sleep 0.3; kill -INT $pid; wait $pid; status=$?
                cat /tmp/lurus-deploy-int.log; exit $status
                """
            let interrupted = try await LabIntegrationTests.shell(script, timeout: 600)
            #expect(interrupted.status == 130 || interrupted.status == 1, "\(interrupted)")
            let lock = try await Commands.lurusctl(["lock", "status", "-i", "inventory/lab.yaml"])
            #expect(lock.stdout.contains("not locked"), "\(lock)")
            #expect(try await Self.ask().stdout.contains("Hello from fake!"), "nothing serves after the interruption")
            let rerun = try await Self.deploy(other)
            #expect(rerun.status == 0, "\(rerun)")
            #expect(try await Self.serving() == goal)
        }

        /// A node that cannot be reached is named and the deploy exits 1; brain is deployed all the same.
        @Test func anUnreachableNodeIsNamedAndTheOthersAreDeployed() async throws {
            try await Self.labWithServices()
            let lab = try String(contentsOfFile: Repository.path("inventory/lab.yaml"), encoding: .utf8)
            // Last, so that brain stays the node that holds the cluster lock.
            let ghost = lab.replacingOccurrences(
                of: "\ncomponents:\n",
                with: "  ghost:\n    address: 10.77.0.99\n    components: [gateway]\n\ncomponents:\n"
            )
            #expect(ghost != lab)
            let path = Repository.path("inventory/.ghost-test.yaml")
            try ghost.write(toFile: path, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let other = try ReleaseVariant.make("second", line: "// The lab tests' second release.")
            let serving = try #require(try await Self.serving())
            let result = try await Commands.lurusctl(
                ["deploy", "-i", "inventory/.ghost-test.yaml", "--yes"],
                environment: ["LURUS_SERVICES": other],
                timeout: 1800
            )
            let output = result.stdout + result.stderr
            #expect(result.status == 1, "\(output)")
            #expect(output.contains("ghost"), "\(output)")
            #expect(output.contains("brain  gateway"), "\(output)")
            let now = try #require(try await Self.serving())
            #expect(now != serving, "brain was not deployed: \(output)")
        }
    }
}

/// Steady load through brain's proxy while something happens: `scripts/test/http-load` (six clients, a
/// chat completion after another) until stopped; what it saw.
struct LoadRun {
    struct Figures: CustomStringConvertible, Decodable {
        var requests: Int
        var failed: Int
        var failures: [String]
        var worstMilliseconds: Double
        var medianMilliseconds: Double

        enum CodingKeys: String, CodingKey {
            case requests, failed, failures
            case worstMilliseconds = "worst_ms"
            case medianMilliseconds = "median_ms"
        }

        var description: String {
            "\(self.requests) requests, \(self.failed) failed, worst latency \(self.worstMilliseconds) ms "
                + "(median \(self.medianMilliseconds))"
                + (self.failures.isEmpty ? "" : "; failures: \(self.failures)")
        }
    }

    let stopFile: String
    let process: Process
    /// The load's report: a file, not a pipe, which a process spawned meanwhile could hold open, so
    /// that reading it to its end would wait for that process.
    let outputFile: String

    static func start() throws -> LoadRun {
        let stopFile = "/tmp/lurus-load-\(getpid()).stop"
        let outputFile = "/tmp/lurus-load-\(getpid()).json"
        try? FileManager.default.removeItem(atPath: stopFile)
        FileManager.default.createFile(atPath: outputFile, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/var/cache/lurusctl/venv/bin/python")
        process.arguments = [
            Repository.path("scripts/test/http-load"), "http://10.77.0.11:18100/v1/chat/completions",
            "sk-lurus-lab-demo", "6", stopFile,
        ]
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputFile))
        process.standardOutput = output
        try process.run()
        try? output.close()
        Thread.sleep(forTimeInterval: 1)
        return LoadRun(stopFile: stopFile, process: process, outputFile: outputFile)
    }

    /// Lets the load run a second more, stops it, and reads what it saw (waiting at most 30 s for it).
    func stop() async throws -> Figures {
        try await Task.sleep(for: .seconds(1))
        FileManager.default.createFile(atPath: self.stopFile, contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: self.stopFile)
            try? FileManager.default.removeItem(atPath: self.outputFile)
        }
        // The report is written whole as the load ends: wait for it, not for Foundation to see the exit.
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let data = (try? Data(contentsOf: URL(fileURLWithPath: self.outputFile))) ?? Data()
            if let figures = try? JSONDecoder().decode(Figures.self, from: data) {
                return figures
            }
            guard ContinuousClock.now < deadline else {
                self.process.terminate()
                throw LoadFailure(
                    "scripts/test/http-load gave no report within 30 s of its stop file; it wrote: "
                        + String(decoding: data, as: UTF8.self)
                )
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    struct LoadFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
