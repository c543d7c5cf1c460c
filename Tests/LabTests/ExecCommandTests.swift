import Foundation
import LurusTestSupport
import Testing

extension LabIntegrationTests {
    /// `lurusctl exec` as an operator runs it, against the lab.
    @Suite struct ExecCommandTests {
        func lurusctl(_ arguments: String...) async throws -> ProcessRunner.Result {
            try await LabIntegrationTests.ensureLabUp()
            return try await ProcessRunner.run(
                Repository.lurusctl,
                arguments,
                currentDirectory: Repository.root.path,
                timeout: 120
            )
        }

        @Test func jsonHasOneObjectPerNode() async throws {
            let result = try await self.lurusctl("exec", "-i", "inventory/lab.yaml", "--json", "--", "hostname")
            #expect(result.status == 0, "\(result)")
            let objects = try result.stdout.split(separator: "\n").map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
            #expect(objects.map { $0["node"] as? String } == ["brain", "heart", "monitor", "lab"])
            for object in objects {
                #expect(object["status"] as? String == "ok")
                #expect(object["exit_code"] as? Int == 0)
                #expect(object["stdout"] as? String == "\(object["node"] as? String ?? "")\n")
                #expect(object["duration_ms"] is Int)
            }
        }

        @Test func groupedTextAndAFailingNodeFailTheRun() async throws {
            let result = try await self.lurusctl(
                "exec",
                "-i",
                "inventory/lab.yaml",
                "--on",
                "heart,lab",
                "--",
                "echo hello from $(hostname); test $(hostname) = heart"
            )
            #expect(result.status == 1)
            #expect(result.stdout.hasPrefix("== heart (10.77.0.12): exit 0 in "))
            #expect(result.stdout.contains("hello from heart\n== lab (10.77.0.14): exit 1 in "))
            #expect(result.stdout.hasSuffix("hello from lab\n"))
            #expect(result.stderr.hasPrefix("2 nodes: 1 ok, 1 failed (lab) in "))
        }

        @Test func onATerminalLinesCarryTheirNodeAndTheRunnerStaysHidden() async throws {
            try await LabIntegrationTests.ensureLabUp()
            let command = "echo one; echo oops >&2; kill -9 \\$\\$"
            let result = try await ProcessRunner.run(
                "/usr/bin/script",
                [
                    "-qec", "\(Repository.lurusctl) exec -i inventory/lab.yaml --on heart,lab -- \"\(command)\"",
                    "/dev/null",
                ],
                currentDirectory: Repository.root.path,
                timeout: 60
            )
            let lines = result.stdout.replacingOccurrences(of: "\r", with: "").split(separator: "\n").map(String.init)
            #expect(lines.contains("heart | one") && lines.contains("lab   | one"), "\(result)")
            #expect(lines.contains("heart ! oops") && lines.contains("lab   ! oops"))
            #expect(lines.contains { $0.hasPrefix("heart: killed by signal 9 in ") })
            #expect(!result.stdout.contains("lurusctl-runner"))
        }

        /// A run killed with SIGKILL cannot clean up: its directory stays until the next run, which
        /// removes it (its owner process is gone), and leaves the directories of live runs alone.
        @Test func theNextRunSweepsWhatAKilledRunLeft() async throws {
            _ = try await self.lurusctl("validate", "-i", "inventory/lab.yaml")  // brings the lab up
            let before = try LabIntegrationTests.controlDirectories()
            let script = """
                \(Repository.lurusctl) exec -i inventory/lab.yaml --on heart -- 'sleep 30' &
                pid=$!; sleep 2; kill -KILL $pid; wait $pid
                """
            let killed = try await LabIntegrationTests.shell(script, timeout: 60)
            #expect(killed.status == 137, "\(killed)")
            let left = try LabIntegrationTests.controlDirectories().subtracting(before)
            #expect(left.count == 1, "the killed run's directory: \(left)")
            let next = try await self.lurusctl("exec", "-i", "inventory/lab.yaml", "--on", "heart", "--", "true")
            #expect(next.status == 0, "\(next)")
            #expect(try LabIntegrationTests.controlDirectories().intersection(left).isEmpty, "not swept: \(left)")
            // The killed run's own ssh processes outlive it (nothing was left to end them): end them here.
            for directory in left { _ = try await ProcessRunner.run("/usr/bin/pkill", ["-f", directory]) }
        }

        @Test func ctrlCStopsEverythingHereAndOnTheNodes() async throws {
            _ = try await self.lurusctl("validate", "-i", "inventory/lab.yaml")  // brings the lab up
            // Only what this run makes counts: other runs (a killed one's leftovers) may have theirs.
            let before = try LabIntegrationTests.controlDirectories()
            let marker = "sleep 307"
            let script = """
                \(Repository.lurusctl) exec -i inventory/lab.yaml --on monitor,heart -- '\(marker)' &
                pid=$!; sleep 2; kill -INT $pid; wait $pid
                """
            let interrupted = try await LabIntegrationTests.shell(script, timeout: 60)
            #expect(interrupted.status == 130, "\(interrupted)")
            #expect(interrupted.stderr.contains("interrupted; stopped what was running and closed connections"))
            let made = try LabIntegrationTests.controlDirectories().subtracting(before)
            #expect(made.isEmpty, "control directories left: \(made)")
            let processes = try await LabIntegrationTests.sshProcesses(notUsing: before)
            #expect(processes.isEmpty, "ssh processes left: \(processes)")
            // The runner on each node saw its session go and killed the command (it checks every second).
            try await Task.sleep(for: .seconds(2))
            let left = try await self.lurusctl(
                "exec",
                "-i",
                "inventory/lab.yaml",
                "--on",
                "monitor,heart",
                "--",
                "pgrep -a -x sleep | grep -q 307 && echo left || echo none"
            )
            #expect(left.stdout.components(separatedBy: "none\n").count == 3, "\(left)")
        }

        @Test func factsReadsEveryHost() async throws {
            let result = try await self.lurusctl("facts", "-i", "inventory/lab.yaml", "--json")
            #expect(result.status == 0, "\(result)")
            let lines = try result.stdout.split(separator: "\n").map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
            #expect(lines.map { $0["node"] as? String } == ["brain", "heart", "monitor", "lab"])
            for line in lines {
                let facts = try #require(line["facts"] as? [String: Any])
                #expect(facts["hostname"] as? String == line["node"] as? String)
                #expect(facts["osID"] as? String == "debian")
                #expect(facts["container"] as? String == "systemd-nspawn")
                #expect(facts["initSystem"] as? String == "systemd")
                #expect((facts["cpus"] as? Int ?? 0) >= 1)
                let addresses = try #require(facts["addresses"] as? [[String: Any]])
                #expect(
                    addresses.contains {
                        ($0["address"] as? String)?.hasPrefix("\(line["address"] as? String ?? "")/") == true
                    }
                )
            }
        }

        @Test func sshRunsACommandOrAShellOnOneNode() async throws {
            let command = try await self.lurusctl("ssh", "-i", "inventory/lab.yaml", "lab", "--", "hostname; exit 4")
            #expect(command.status == 4)
            #expect(command.stdout == "lab\n")
            // A real terminal: `script` gives ssh a pty; the shell reads commands from it.
            let shell = try await ProcessRunner.run(
                "/bin/sh",
                [
                    "-c",
                    "printf 'echo pty-$((6*7))\\nexit\\n' | script -qec '\(Repository.lurusctl) ssh -i inventory/lab.yaml brain' /dev/null",
                ],
                currentDirectory: Repository.root.path,
                timeout: 60
            )
            #expect(shell.stdout.contains("pty-42"), "\(shell)")
            let unknown = try await self.lurusctl("ssh", "-i", "inventory/lab.yaml", "brian")
            #expect(unknown.status == 64)
            #expect(unknown.stderr.contains("did you mean 'brain'?"))
        }
    }
}
