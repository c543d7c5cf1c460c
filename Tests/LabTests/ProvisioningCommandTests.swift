import Foundation
import LurusTestSupport
import Testing

extension LabIntegrationTests {
    /// `lurusctl plan` and `lurusctl up` as an operator runs them, against the lab.
    @Suite struct ProvisioningCommandTests {
        static let config = Repository.path(".lab/ssh/config")

        static func lurusctl(
            _ arguments: [String],
            environment: [String: String] = [:],
            timeout: Double = 600
        )
            async throws -> ProcessRunner.Result
        {
            try await ProcessRunner.run(
                Repository.lurusctl,
                arguments,
                environment: environment,
                currentDirectory: Repository.root.path,
                timeout: timeout
            )
        }

        func ssh(_ node: String, _ command: String) async throws -> ProcessRunner.Result {
            try await ProcessRunner.run("/usr/bin/ssh", ["-F", Self.config, node, command], timeout: 60)
        }

        /// A lab with nothing of lurusctl's on it: down (removing every host's changes) and up again.
        static func freshLab() async throws {
            try #require(geteuid() == 0, "the lab needs root: run the tests as root")
            let down = try await ProcessRunner.run(Repository.path("scripts/lab"), ["down"], timeout: 300)
            try #require(down.status == 0, "scripts/lab down failed: \(down)")
            try await LabIntegrationTests.ensureLabUp()
        }

        /// Every file a node has changed since it was made, from the host's side of its overlay (its
        /// upper directory), with size, mode and modification time; logs written by logins are left out.
        static func footprint(_ node: String) async throws -> String {
            let upper = Repository.path(".lab/hosts/\(node)/upper")
            let result = try await ProcessRunner.run(
                "/usr/bin/find",
                [upper, "-path", "\(upper)/var/log", "-prune", "-o", "-printf", "%P %s %m %T@\n"],
                timeout: 60
            )
            return result.stdout.split(separator: "\n").sorted().joined(separator: "\n")
        }

        static func jsonObjects(_ output: String) throws -> [[String: Any]] {
            try output.split(separator: "\n").map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], "not JSON: \($0)")
            }
        }

        /// The engine's summary object; `up` ends with it, then the deploy's (`deploySummary`).
        static func summary(_ output: String) throws -> [String: Any] {
            let objects = try self.jsonObjects(output)
            return try #require(objects.first { $0["type"] as? String == "summary" }, "no summary in \(output)")
        }

        static func deploySummary(_ output: String) throws -> [String: Any] {
            let objects = try self.jsonObjects(output)
            let last = try #require(objects.last)
            #expect(last["type"] as? String == "deploy_summary")
            return last
        }

        /// On a fresh lab: plan lists base and changes nothing; up applies it; a second up changes nothing and
        /// restarts nothing; a file changed by hand is drift in the plan, with its diff, and up repairs it.
        @Test func planUpNoOpAndDrift() async throws {
            try await Self.freshLab()
            let names = ["brain", "heart", "monitor", "lab"]
            var before: [String] = []
            for node in names { before.append(try await Self.footprint(node)) }

            let plan = try await Self.lurusctl(["plan", "-i", "inventory/lab.yaml"])
            #expect(plan.status == 0, "\(plan)")
            #expect(plan.stdout.contains("+ package chrony"))
            #expect(plan.stdout.contains("+ file /etc/lurus/node"))
            #expect(plan.stdout.contains("+10.77.0.12 heart"))
            #expect(plan.stdout.contains("on 4 nodes, 0 nodes unchanged."))
            // The services' part: the gateway's first deployment on brain.
            #expect(plan.stdout.contains("Services (release "), "\(plan)")
            #expect(plan.stdout.contains("(first deployment)"), "\(plan)")
            var after: [String] = []
            for node in names { after.append(try await Self.footprint(node)) }
            #expect(before == after, "plan changed a node")

            let up = try await Self.lurusctl(["up", "-i", "inventory/lab.yaml", "--json"])
            #expect(up.status == 0, "\(up)")
            let first = try Self.summary(up.stdout)
            #expect((first["changed"] as? Int ?? 0) > 40)
            #expect(first["failed"] as? Int == 0)
            // Then the services are deployed: provider, billing and the gateway on brain, the log service on
            // lab, each shipped, started, gated, serving.
            let deployed = try Self.deploySummary(up.stdout)
            #expect(deployed["switched"] as? Int == 4 && deployed["failed"] as? Int == 0, "\(deployed)")
            #expect((deployed["shipped_bytes"] as? Int ?? 0) > 10_000_000)
            let installed = try await self.ssh("heart", "dpkg-query -W -f='${Status}' chrony; cat /etc/lurus/node")
            #expect(installed.stdout.hasPrefix("install ok installed# Managed by lurusctl"))

            let again = try await Self.lurusctl(["up", "-i", "inventory/lab.yaml", "--json"])
            #expect(again.status == 0, "\(again)")
            let second = try Self.summary(again.stdout)
            #expect(second["changed"] as? Int == 0)
            #expect(!again.stdout.contains("\"step_started\""), "a no-op up ran a step")
            let redeployed = try Self.deploySummary(again.stdout)
            #expect(redeployed["switched"] as? Int == 0 && redeployed["shipped_bytes"] as? Int == 0, "\(redeployed)")
            let units = (second["nodes"] as? [[String: Any]] ?? []).flatMap { $0["units"] as? [[String: Any]] ?? [] }
            #expect(
                units.count == 20,
                """
                base and the node exporter on four nodes, nats, postgres, redis, clickhouse, prometheus, \
                alertmanager, the host setup of provider, billing, gateway and log, and the proxies of brain and lab
                """
            )
            #expect(
                units.allSatisfy {
                    ($0["restarts"] as? [Any])?.isEmpty == true && $0["status"] as? String == "unchanged"
                }
            )

            // Drift on one node: shown with its diff, then repaired, restarting journald once.
            let edit = try await self.ssh(
                "heart",
                "sed -i 's/SystemMaxUse=1G/SystemMaxUse=9G/' /etc/systemd/journald.conf.d/50-lurus.conf"
            )
            #expect(edit.status == 0)
            let drift = try await Self.lurusctl(["plan", "-i", "inventory/lab.yaml"])
            #expect(drift.stdout.contains("~ file /etc/systemd/journald.conf.d/50-lurus.conf (content)"))
            #expect(drift.stdout.contains("-SystemMaxUse=9G") && drift.stdout.contains("+SystemMaxUse=1G"))
            #expect(drift.stdout.contains("↻ restart systemd-journald"))
            #expect(drift.stdout.contains("Plan: 2 to change on 1 node, 3 nodes unchanged."))
            let driftJSON = try await Self.lurusctl(["plan", "-i", "inventory/lab.yaml", "--json", "--on", "heart"])
            let heart = try Self.jsonObjects(driftJSON.stdout).first { $0["type"] as? String == "node_plan" }
            let changes = heart?["changes"] as? [[String: Any]] ?? []
            #expect(
                changes.first?["diff"] as? [String] == [
                    "@@ -1,5 +1,5 @@",
                    " # Managed by lurusctl (component base): journal size limits, so logs never fill the disk.",
                    " [Journal]", "-SystemMaxUse=9G", "+SystemMaxUse=1G", " SystemKeepFree=2G",
                    " MaxRetentionSec=1month",
                ]
            )
            let repair = try await Self.lurusctl(["up", "-i", "inventory/lab.yaml", "--json"])
            let repaired = try Self.summary(repair.stdout)
            #expect(repaired["changed"] as? Int == 2)
            let clean = try await Self.lurusctl(["plan", "-i", "inventory/lab.yaml"])
            #expect(clean.stdout.contains("Plan: 0 to change on 0 nodes, 4 nodes unchanged.\n"), "\(clean)")
            #expect(
                clean.stdout.hasSuffix("nothing to deploy: every node serves this release with this configuration\n"),
                "\(clean)"
            )
        }

        /// A node where base cannot be applied fails alone: the others finish, the summary names it, and
        /// the run exits 1; once mended, a rerun completes.
        @Test func failingNodeLeavesTheOthersDone() async throws {
            try await LabIntegrationTests.ensureLabUp()
            let sabotage = try await self.ssh("lab", "rm -rf /opt/lurus && echo not-a-directory > /opt/lurus")
            #expect(sabotage.status == 0)
            let up = try await Self.lurusctl(["up", "-i", "inventory/lab.yaml"])
            #expect(up.status == 1, "\(up)")
            #expect(up.stdout.contains("lab      0 changed") || up.stdout.contains("lab "), "\(up)")
            #expect(up.stdout.contains("base failed: directory /opt/lurus"), "\(up)")
            for node in ["brain", "heart", "monitor"] {
                #expect(try await self.ssh(node, "test -f /etc/lurus/node").status == 0, "\(node) was not provisioned")
            }
            _ = try await self.ssh("lab", "rm -f /opt/lurus")
            let rerun = try await Self.lurusctl(["up", "-i", "inventory/lab.yaml"])
            #expect(rerun.status == 0, "\(rerun)")
            #expect(try await self.ssh("lab", "test -d /opt/lurus").status == 0)
        }
    }
}
