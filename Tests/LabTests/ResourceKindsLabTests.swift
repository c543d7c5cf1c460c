import Foundation
import Logging
import LurusEngine
import LurusInventory
import LurusRemote
import LurusTestSupport
import Testing

extension LabIntegrationTests {
    /// Resource kinds against real systemd, users and curl on a lab host: they converge, a second pass
    /// changes nothing, and a service restarts exactly once when its files change.
    @Suite struct ResourceKindsLabTests {
        let logger = Logger(label: "test")

        func converge(
            _ inventory: Inventory,
            on node: Node,
            _ kinds: [Resource.Kind]
        ) async throws -> (LurusEngine.Plan, RunResult) {
            let unit = WorkUnit(
                id: UnitID(node: node.name, component: "test"),
                resources: kinds.map { Resource($0, component: "test") }
            )
            return try await OpenSSHSession.with(inventory, logger: self.logger) { session in
                let engine = Engine(transport: session)
                let plan = await engine.plan([(node, [unit])])
                return (plan, await engine.apply(plan, control: RunControl()))
            }
        }

        func ssh(_ node: String, _ command: String) async throws -> String {
            try await ProcessRunner.run("/usr/bin/ssh", ["-F", Repository.path(".lab/ssh/config"), node, command])
                .stdout
        }

        @Test func userUnitAndServiceRestartOnce() async throws {
            let inventory = try await LabIntegrationTests.labInventory()
            let monitor = inventory.nodes[2]
            let name = "lurus-test-\(UInt16.random(in: 1000...9999))"
            func kinds(_ setting: String) -> [Resource.Kind] {
                let config = File(
                    path: "/etc/\(name).env",
                    text: "SETTING=\(setting)\n",
                    mode: 0o640,
                    owner: "root",
                    group: name
                )
                let unit = SystemdUnit(
                    name: "\(name).service",
                    content:
                        "[Service]\nUser=\(name)\nEnvironmentFile=/etc/\(name).env\nExecStart=/bin/sleep infinity\n\n[Install]\nWantedBy=multi-user.target\n"
                )
                return [
                    .group(Group(name)),
                    .user(User(name, home: "/var/lib/\(name)")),
                    .directory(Directory(path: "/var/lib/\(name)", mode: 0o750, owner: name, group: name)),
                    .file(config),
                    .systemdUnit(unit),
                    .service(Service("\(name).service", restartOn: [config.id, unit.id])),
                ]
            }
            let (first, applied) = try await self.converge(inventory, on: monitor, kinds("one"))
            #expect(first.changeCount == 6)
            #expect(applied.succeeded, "\(applied)")
            let pid = try await self.ssh(
                "monitor",
                "systemctl show -p MainPID --value \(name).service; stat -c '%U %a' /var/lib/\(name)"
            )
            #expect(pid.hasSuffix("\(name) 750\n"), "\(pid)")

            let (again, _) = try await self.converge(inventory, on: monitor, kinds("one"))
            #expect(again.changeCount == 0, "\(again.nodes)")
            #expect(
                try await self.ssh("monitor", "systemctl show -p MainPID --value \(name).service") == pid.split(
                    separator: "\n"
                )[0] + "\n"
            )

            let (changed, result) = try await self.converge(inventory, on: monitor, kinds("two"))
            let actions = changed.nodes[0].units[0].changes.map(\.difference.action)
            #expect(actions == [.change, .restart])
            #expect(result.nodes[0].units[0].restarts == ["restart \(name).service"])
            let newPID = try await self.ssh("monitor", "systemctl show -p MainPID --value \(name).service")
            #expect(newPID != pid.split(separator: "\n")[0] + "\n" && newPID != "0\n", "not restarted: \(newPID)")
            _ = try await self.ssh(
                "monitor",
                "systemctl disable --now \(name).service; rm -f /etc/systemd/system/\(name).service /etc/\(name).env; "
                    + "userdel \(name); groupdel \(name); rm -rf /var/lib/\(name); systemctl daemon-reload"
            )
        }

        /// A release binary fetched by the node from a web server (here: one on the lab's bridge address),
        /// kept only when its sha256 matches.
        @Test func downloadChecksItsDigest() async throws {
            let inventory = try await LabIntegrationTests.labInventory()
            let lab = inventory.nodes[3]
            _ = try await self.ssh(
                "lab",
                "command -v curl >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q curl >/dev/null"
            )
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "lurus-download-\(UUID().uuidString)"
            )
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let payload = "#!/bin/sh\necho released\n"
            try payload.write(to: folder.appendingPathComponent("tool"), atomically: true, encoding: .utf8)
            let digest = try await ProcessRunner.shell("sha256sum \(folder.path)/tool | cut -d ' ' -f 1").stdout
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let port = Int.random(in: 20000...29999)
            let server = try await ProcessRunner.shell(
                "cd \(folder.path) && (setsid /usr/bin/python3 -m http.server \(port) --bind 10.77.0.1 >/dev/null 2>&1 & echo $!)"
            )
            let serverPID = server.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            defer {
                _ = kill(pid_t(serverPID) ?? 0, SIGTERM)
                try? FileManager.default.removeItem(at: folder)
            }
            try await Task.sleep(for: .milliseconds(700))
            let target = "/usr/local/bin/lurus-test-tool-\(port)"
            let good = Download(url: "http://10.77.0.1:\(port)/tool", sha256: digest, path: target)
            let (plan, result) = try await self.converge(inventory, on: lab, [.download(good)])
            #expect(plan.changeCount == 1 && result.succeeded, "\(result)")
            #expect(try await self.ssh("lab", "\(target)") == "released\n")
            #expect(try await self.converge(inventory, on: lab, [.download(good)]).0.changeCount == 0)

            let bad = Download(
                url: "http://10.77.0.1:\(port)/tool",
                sha256: String(repeating: "0", count: 64),
                path: target + "-bad"
            )
            let (_, refused) = try await self.converge(inventory, on: lab, [.download(bad)])
            #expect(refused.nodes[0].units[0].status == .failed)
            #expect(refused.nodes[0].units[0].message?.contains("refusing it") == true, "\(refused)")
            #expect(
                try await self.ssh(
                    "lab",
                    "ls \(target)-bad /usr/local/bin/.lurusctl-download.* 2>&1 | grep -c 'No such'"
                ) == "2\n"
            )
            _ = try await self.ssh("lab", "rm -f \(target)")
        }
    }
}
