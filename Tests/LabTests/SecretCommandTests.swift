import Foundation
import LurusTestSupport
import Testing

/// `lurusctl secrets` and the local `lurusctl audit` on a temporary inventory: no node is contacted.
@Suite struct SecretCommandTests {
    let directory: String
    let inventory: String

    init() throws {
        self.directory =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("lurus-secret-command-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: self.directory, withIntermediateDirectories: true)
        self.inventory = "\(self.directory)/cluster.yaml"
        let text = """
            cluster: demo
            runtime: systemd
            mesh: none
            nodes:
              one:
                address: 10.0.0.1
            secrets:
              tailscale-key: env:LURUS_TEST_KEY
              s3: cmd:exit 7
            """
        try text.write(toFile: self.inventory, atomically: true, encoding: .utf8)
    }

    func lurusctl(_ arguments: String..., environment: [String: String] = [:]) async throws -> ProcessRunner.Result {
        try await ProcessRunner.run(
            Repository.lurusctl,
            arguments + ["-i", self.inventory],
            environment: environment,
            currentDirectory: self.directory,
            timeout: 60
        )
    }

    @Test func showGeneratesOnceAndListNamesWithoutValues() async throws {
        defer { try? FileManager.default.removeItem(atPath: self.directory) }
        let first = try await self.lurusctl("secrets", "show", "postgres-billing")
        #expect(first.status == 0, "\(first)")
        #expect(first.stdout.count == 44 && first.stdout.hasSuffix("\n"))
        let path = "\(self.directory)/.lurus/demo/secrets/postgres-billing"
        #expect(first.stderr == "generated postgres-billing and stored it in \(path)\n")
        let again = try await self.lurusctl("secrets", "show", "postgres-billing")
        #expect(again.stdout == first.stdout && again.stderr.isEmpty, "\(again)")
        let environment = ["LURUS_TEST_KEY": "tskey-value-123456"]
        #expect(
            try await self.lurusctl("secrets", "show", "tailscale-key", environment: environment).stdout
                == "tskey-value-123456\n"
        )

        let list = try await self.lurusctl("secrets", "list", environment: environment)
        #expect(
            list.stdout == """
                NAME              SOURCE              DETAIL
                postgres-billing  generated           0600 \(path)
                s3                cmd:exit 7          run when needed
                tailscale-key     env:LURUS_TEST_KEY  set

                """,
            "\(list)"
        )
        let json = try await self.lurusctl("secrets", "list", "--json", environment: environment)
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(listed.map { $0["name"] as? String } == ["postgres-billing", "s3", "tailscale-key"])
        for output in [list.stdout, list.stderr, json.stdout, json.stderr] {
            #expect(!output.contains(first.stdout.dropLast()) && !output.contains("tskey-value-123456"))
        }
    }

    @Test func unavailableSecretsFailNamingTheCause() async throws {
        defer { try? FileManager.default.removeItem(atPath: self.directory) }
        let unset = try await self.lurusctl("secrets", "show", "tailscale-key")
        #expect(unset.status == 1 && unset.stdout.isEmpty)
        #expect(unset.stderr.hasPrefix("secret tailscale-key: environment variable LURUS_TEST_KEY is not set ("))
        let failing = try await self.lurusctl("secrets", "show", "s3")
        #expect(failing.status == 1 && failing.stderr.hasPrefix("secret s3: its command exited with status 7 ("))
        let invalid = try await self.lurusctl("secrets", "show", "Bad Name")
        #expect(invalid.status == 1 && invalid.stderr.hasPrefix("secret Bad Name: 'Bad Name' is not a secret name ("))
    }

    @Test func localAuditIsEmptyUntilSomethingIsRecorded() async throws {
        defer { try? FileManager.default.removeItem(atPath: self.directory) }
        let empty = try await self.lurusctl("audit")
        #expect(empty.status == 0 && empty.stdout.isEmpty, "\(empty)")
        #expect(empty.stderr == "no audit records in \(self.directory)/.lurus/demo/audit.jsonl\n")
    }
}
