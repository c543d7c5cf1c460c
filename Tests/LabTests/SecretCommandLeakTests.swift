import Foundation
import LurusTestSupport
import Synchronization
import Testing

extension LabIntegrationTests {
    /// Known secret values (one from the environment, one generated and stored) never appear in what
    /// `plan`, `up`, `secrets list`, `lock` and `audit` print, in the audit records, or in a process list
    /// here or on the nodes while `up` runs; only `secrets show` prints one, when asked.
    @Suite struct SecretCommandLeakTests {
        /// Process lists read while `up` runs.
        final class ProcessLists: Sendable {
            let list = Mutex<[String]>([])
        }

        @Test func secretsNeverLeak() async throws {
            try await LabIntegrationTests.ensureLabUp()
            let cluster = "lurus-lab-secrets-\(UInt16.random(in: 1000...9999))"
            let inventoryPath = Repository.path("inventory/.\(cluster).yaml")
            let state = Repository.path("inventory/.lurus/\(cluster)")
            let lab = try String(contentsOfFile: Repository.path("inventory/lab.yaml"), encoding: .utf8)
            let inventory =
                lab.replacingOccurrences(of: "cluster: lurus-lab", with: "cluster: \(cluster)")
                .replacingOccurrences(
                    of: "\nsecrets:\n",
                    with: "\nsecrets:\n  probe_token: env:LURUS_TEST_PROBE_TOKEN\n"
                )
            try #require(inventory.contains("probe_token"), "inventory/lab.yaml has no secrets: block to add to")
            try inventory.write(toFile: inventoryPath, atomically: true, encoding: .utf8)
            defer {
                try? FileManager.default.removeItem(atPath: inventoryPath)
                try? FileManager.default.removeItem(atPath: state)
            }
            let fromEnvironment = "env-secret-\(UUID().uuidString)"
            let generated = "generated-secret-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: "\(state)/secrets", withIntermediateDirectories: true)
            _ = FileManager.default.createFile(
                atPath: "\(state)/secrets/test-generated",
                contents: Data(generated.utf8),
                attributes: [.posixPermissions: 0o600]
            )
            let environment = ["LURUS_TEST_PROBE_TOKEN": fromEnvironment]
            func run(_ arguments: String...) async throws -> ProcessRunner.Result {
                try await ProcessRunner.run(
                    Repository.lurusctl,
                    arguments + ["-i", inventoryPath],
                    environment: environment,
                    currentDirectory: Repository.root.path,
                    timeout: 600
                )
            }

            // Sample process lists here and on heart while `up` runs.
            let samples = ProcessLists()
            var outputs: [String] = []
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    while !Task.isCancelled {
                        let local = try await ProcessRunner.run("/bin/ps", ["-eo", "args"])
                        let remote = try await ProcessRunner.run(
                            "/usr/bin/ssh",
                            ["-F", Repository.path(".lab/ssh/config"), "heart", "ps -eo args"]
                        )
                        samples.list.withLock { $0 += [local.stdout, remote.stdout] }
                        try await Task.sleep(for: .milliseconds(100))
                    }
                }
                let up = try await run("up", "--json")
                #expect(up.status == 0, "\(up)")
                outputs.append(up.stdout + up.stderr)
                group.cancelAll()
            }
            for arguments in [
                ["plan", "--json"], ["plan"], ["secrets", "list"], ["secrets", "list", "--json"], ["lock", "status"],
                ["audit", "--json"], ["audit", "--on", "heart"],
            ] {
                let result = try await ProcessRunner.run(
                    Repository.lurusctl,
                    arguments + ["-i", inventoryPath],
                    environment: environment,
                    currentDirectory: Repository.root.path,
                    timeout: 120
                )
                outputs.append(result.stdout + result.stderr)
            }
            let list = outputs[3]
            #expect(
                list.contains("probe_token") && list.contains("env:LURUS_TEST_PROBE_TOKEN")
                    && list.contains("test-generated"),
                "\(list)"
            )
            let audit = try String(contentsOfFile: "\(state)/audit.jsonl", encoding: .utf8)
            let everything = outputs.joined() + audit + samples.list.withLock { $0.joined() }
            #expect(samples.list.withLock { $0.count } >= 2, "no process list was read during up")
            #expect(!everything.contains(fromEnvironment), "the environment secret leaked")
            #expect(!everything.contains(generated), "the generated secret leaked")

            // Asked for explicitly, it is shown.
            let shown = try await run("secrets", "show", "test-generated")
            #expect(shown.stdout == "\(generated)\n", "\(shown)")
        }
    }
}
