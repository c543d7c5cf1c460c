import Foundation
import LurusTestSupport
import Testing

/// Runs the built `lurusctl` as a user would and checks what it prints and how it exits.
@Suite struct CommandLineTests {
    /// Runs lurusctl from the repository root with a fixed HOME, so resolved paths are stable.
    func lurusctl(_ arguments: String..., environment: [String: String] = [:]) async throws -> ProcessRunner.Result {
        try await self.lurusctl(arguments, environment: environment)
    }

    func lurusctl(_ arguments: [String], environment: [String: String] = [:]) async throws -> ProcessRunner.Result {
        let result = try await ProcessRunner.run(
            Repository.lurusctl,
            arguments,
            environment: ["HOME": "/home/operator"].merging(environment) { $1 },
            currentDirectory: Repository.root.path,
            timeout: 30
        )
        // Whatever happens, never a crash or a stack trace.
        #expect(!result.timedOut)
        #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Stack dump"), "\(result)")
        return result
    }

    @Test func helpListsOnlyWorkingVerbs() async throws {
        let result = try await self.lurusctl("--help")
        #expect(result.status == 0)
        let section = try #require(result.stdout.components(separatedBy: "SUBCOMMANDS:").last)
        // The verb list ends at the first blank line.
        let lines = section.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().prefix { !$0.isEmpty }
        let verbs = lines.compactMap { line -> String? in
            guard line.hasPrefix("  "), !line.hasPrefix("   "), let word = line.split(separator: " ").first else {
                return nil
            }
            return String(word)
        }
        #expect(
            verbs == [
                "validate", "inventory", "exec", "ssh", "facts", "plan", "up", "build", "deploy", "rollback",
                "releases",
                "lock", "backup", "restore", "health", "audit", "secrets",
            ]
        )
        let words = result.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(words.contains("65 the inventory has errors"))
    }

    /// A reader that went away before lurusctl wrote (`lurusctl ... | head`) costs the output, not the
    /// run: no death by SIGPIPE (lurusctl ignores it for its agents' sake) and no trap on the EPIPE.
    @Test func aReaderThatWentAwayCostsTheOutputNotTheRun() async throws {
        let pipeline = """
            cd '\(Repository.root.path)' && '\(Repository.lurusctl)' inventory -i inventory/lab.yaml --json \
                | { exec 0<&-; sleep 0.5; }; echo "status=${PIPESTATUS[0]}"
            """
        let result = try await ProcessRunner.run("/bin/bash", ["-c", pipeline])
        #expect(result.stdout == "status=0\n", "\(result)")
        #expect(!result.stderr.contains("Fatal error"), "\(result)")
    }

    @Test func versionIsPrinted() async throws {
        let result = try await self.lurusctl("--version")
        #expect(result.status == 0)
        #expect(result.stdout == "0.1.0\n")
    }

    @Test(arguments: ["inventory/lab.yaml", "inventory/lurus.yaml"])
    func shippedInventoriesValidate(path: String) async throws {
        let result = try await self.lurusctl("validate", "-i", path)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.hasPrefix("\(path): valid: cluster "))
        #expect(result.stderr.isEmpty)
    }

    @Test func validateReadsTheEnvironmentVariable() async throws {
        let result = try await self.lurusctl("validate", environment: ["LURUS_INVENTORY": "inventory/lab.yaml"])
        #expect(result.stdout == "inventory/lab.yaml: valid: cluster lurus-lab, 4 nodes, mesh none, runtime systemd\n")
        #expect(result.status == 0)
    }

    @Test func validateWithoutAnyInventoryUsesTheDefault() async throws {
        let result = try await self.lurusctl("validate")
        #expect(result.stdout == "inventory/lurus.yaml: valid: cluster lurus, 4 nodes, mesh tailscale, runtime k3s\n")
    }

    @Test func invalidInventoryPrintsEveryLocatedProblemAndExits65() async throws {
        let fixture = "Tests/LurusInventoryTests/Fixtures/invalid/everything-at-once"
        let result = try await self.lurusctl("validate", "-i", "\(fixture).yaml")
        #expect(result.status == 65)
        #expect(result.stdout.isEmpty)
        let expected = try String(contentsOfFile: Repository.path("\(fixture).expected"), encoding: .utf8)
            .replacingOccurrences(of: "everything-at-once.yaml:", with: "\(fixture).yaml:")
        #expect(result.stderr == expected + "\(fixture).yaml: 15 errors; nothing was changed on any node\n")
    }

    @Test func validateJSONCarriesEachDiagnostic() async throws {
        let result = try await self.lurusctl(
            "validate",
            "--json",
            "-i",
            "Tests/LurusInventoryTests/Fixtures/invalid/proxy-jump-unknown.yaml"
        )
        #expect(result.status == 65)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["valid"] as? Bool == false)
        let diagnostics = try #require(object["diagnostics"] as? [[String: Any]])
        #expect(diagnostics.count == 2)
        #expect(diagnostics.first?["line"] as? Int == 10)
        #expect(diagnostics.first?["column"] as? Int == 7)
        #expect(diagnostics.first?["path"] as? String == "nodes.lab.ssh.proxy_jump")
        #expect(diagnostics.first?["hint"] as? String == "did you mean 'brain'? name a node of this inventory")
    }

    @Test func missingInventoryExits66WithTheFix() async throws {
        let result = try await self.lurusctl("validate", "-i", "inventory/nope.yaml")
        #expect(result.status == 66)
        #expect(
            result.stderr
                == "inventory/nope.yaml: no such file (pass -i PATH or set LURUS_INVENTORY; examples are in inventory/)\n"
        )
    }

    @Test func inventoryIsPrintedAsATable() async throws {
        let result = try await self.lurusctl("inventory", "-i", "inventory/lurus.yaml")
        #expect(result.status == 0, "\(result)")
        let golden = try String(
            contentsOfFile: Repository.path("Tests/LurusCLITests/Golden/inventory-lurus.txt"),
            encoding: .utf8
        )
        #expect(result.stdout == golden)
    }

    @Test func inventoryJSONHasTheResolvedNodes() async throws {
        let result = try await self.lurusctl("inventory", "--json", "-i", "inventory/lurus.yaml")
        #expect(result.status == 0, "\(result)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let nodes = try #require(object["nodes"] as? [[String: Any]])
        #expect(nodes.map { $0["name"] as? String } == ["brain", "heart", "monitor", "lab"])
        let lab = nodes[3]
        let ssh = try #require(lab["ssh"] as? [String: Any])
        #expect(ssh["proxyJump"] as? String == "brain")
        #expect(ssh["identityFile"] as? String == "/home/operator/.ssh/lurus_ed25519")
        #expect(ssh["port"] as? Int == 22)
        #expect(lab["taints"] as? [String] == ["lurus.cn/local=true:PreferNoSchedule"])
        let ports = try #require(lab["ports"] as? [[String: Any]])
        #expect(ports.contains { $0["component"] as? String == "minio" && $0["port"] as? Int == 9002 })
        let mesh = try #require(object["mesh"] as? [String: Any])
        #expect(mesh["authKey"] as? String == "env:TAILSCALE_AUTH_KEY")
    }

    @Test func inventoryOnABrokenFileFailsLikeValidate() async throws {
        let result = try await self.lurusctl(
            "inventory",
            "-i",
            "Tests/LurusInventoryTests/Fixtures/invalid/port-conflicts.yaml"
        )
        #expect(result.status == 65)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("port-conflicts.yaml:8:30: nodes.lab.components[1]: port 9000 on lab"))
    }

    @Test func aRecoveryTimeThatCannotBeIsAUsageErrorBeforeAnythingRuns() async throws {
        for (arguments, message) in [
            (["restore", "--to-time", "last tuesday"], "is not a time: write ISO 8601 with a zone"),
            (["restore", "--to-time", "2026-12-07T06:30:00"], "is not a time"),
            (["restore", "--to-time", "2099-01-01T00:00:00Z"], "is in the future"),
            (["restore", "--to-time", "2026-01-01T00:00:00Z", "--drill"], "--to-time and --drill do not go together"),
            (["restore", "--to-time", "2026-01-01T00:00:00Z", "--only", "clickhouse"], "recovers PostgreSQL only"),
        ] {
            let result = try await self.lurusctl(arguments)
            #expect(result.status == 64, "\(arguments): \(result)")
            #expect(result.stderr.contains(message), "\(arguments): \(result)")
        }
    }

    @Test func unknownVerbIsAUsageError() async throws {
        let result = try await self.lurusctl("frobnicate")
        #expect(result.status == 64)
        #expect(result.stderr.contains("Unexpected argument 'frobnicate'"))
    }

    @Test func deployUnderK3sWithASecretTheInventoryDoesNotNameSaysWhichAndDoesNothing() async throws {
        // inventory/lurus.yaml without billing: the gateway needs a keys file, which it names nowhere.
        let production = try String(
            contentsOf: Repository.root.appendingPathComponent("inventory/lurus.yaml"),
            encoding: .utf8
        )
        let withoutBilling = production.replacingOccurrences(
            of: "gateway, provider, billing]",
            with: "gateway, provider]"
        )
        #expect(withoutBilling != production)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lurus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inventory = directory.appendingPathComponent("no-billing.yaml")
        try withoutBilling.write(to: inventory, atomically: true, encoding: .utf8)
        let result = try await self.lurusctl("deploy", "-i", inventory.path, "--yes")
        #expect(result.status == 1)
        #expect(result.stderr.contains("none of BILLING_SERVICE_URL, KEYS_FILE can be set"))
        #expect(result.stderr.contains("add secrets.gateway/keys to \(inventory.path)"))
        #expect(result.stderr.contains("nothing was done on any node"))
        #expect(!result.stderr.contains("building"), "it stops before building anything")
    }

    @Test func everyVerbThatTakesTheLockRefusesALockWaitThatIsNotADuration() async throws {
        for verb in ["up", "deploy", "rollback"] {
            let result = try await self.lurusctl(verb, "--lock-wait", "soon", "-i", "inventory/lab.yaml")
            #expect(result.status == 64, "\(verb): \(result)")
            #expect(result.stderr.contains("--lock-wait 'soon' is not a duration: write e.g. 30s or 5m"), "\(verb)")
        }
    }

    @Test func rollbackRefusesAReleaseThatIsNotAnID() async throws {
        let result = try await self.lurusctl("rollback", "gateway", "--to", "latest", "-i", "inventory/lab.yaml")
        #expect(result.status == 64)
        #expect(result.stderr.contains("--to 'latest' is not a release id"))
        let unknown = try await self.lurusctl("rollback", "gatewy", "-i", "inventory/lab.yaml")
        #expect(unknown.status == 64)
        #expect(
            unknown.stderr.contains(
                "'gatewy' is not a service lurusctl ships; services: provider, billing, gateway, log\n"
            )
        )
    }

    @Test func execNeedsACommandAndKnownNodes() async throws {
        let missing = try await self.lurusctl("exec", "-i", "inventory/lab.yaml")
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("name the command to run after --"))
        let typo = try await self.lurusctl("exec", "-i", "inventory/lab.yaml", "--on", "hart", "--", "true")
        #expect(typo.status == 64)
        #expect(typo.stderr.contains("'hart' is neither a node nor a component (did you mean 'heart'?"))
        let badTimeout = try await self.lurusctl("exec", "-i", "inventory/lab.yaml", "--timeout", "soon", "--", "true")
        #expect(badTimeout.status == 64)
    }
}
