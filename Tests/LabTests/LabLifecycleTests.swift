import Foundation
import LurusTestSupport
import Testing

/// Brings the local lab (`scripts/lab`) up and down for real, twice, and checks the four hosts over SSH
/// with strict host-key checking, then that `down` leaves nothing behind on this machine.
///
/// Needs root on Linux (namespaces, mounts, a bridge, nftables). It fails, never skips, without them.
extension LabIntegrationTests {
    @Suite struct LabLifecycleTests {
        static let hosts = ["brain": "10.77.0.11", "heart": "10.77.0.12", "monitor": "10.77.0.13", "lab": "10.77.0.14"]
        static let script = Repository.path("scripts/lab")
        static let state = Repository.path(".lab")

        func lab(_ arguments: String..., timeout: TimeInterval = 900) async throws -> ProcessRunner.Result {
            try await ProcessRunner.run(Self.script, arguments, timeout: timeout)
        }

        /// Runs a command on a lab host through the lab's ssh config, with strict host-key checking.
        func ssh(_ host: String, _ command: String, knownHosts: String? = nil) async throws -> ProcessRunner.Result {
            var arguments = [
                "-F", "\(Self.state)/ssh/config", "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes",
            ]
            if let knownHosts { arguments += ["-o", "UserKnownHostsFile=\(knownHosts)"] }
            return try await ProcessRunner.run("/usr/bin/ssh", arguments + [host, command], timeout: 30)
        }

        @Test func labComesUpAndGoesDownTwiceLeavingNothingBehind() async throws {
            try #require(
                geteuid() == 0,
                "the lab needs root (namespaces, mounts, bridge, nftables): run the tests as root"
            )
            try #require(FileManager.default.isExecutableFile(atPath: Self.script), "scripts/lab is missing")
            // Start from no lab at all, so "before" is this machine's own ip_forward, not the lab's.
            let initialDown = try await self.lab("down", timeout: 120)
            try #require(initialDown.status == 0, "scripts/lab down failed: \(initialDown)")
            let forwardingBefore = try String(contentsOfFile: "/proc/sys/net/ipv4/ip_forward", encoding: .utf8)

            for cycle in 1...2 {
                let up = try await self.lab("up")
                try #require(up.status == 0, "cycle \(cycle): scripts/lab up failed: \(up)")

                var machineIDs: [String: String] = [:]
                for (name, address) in Self.hosts.sorted(by: { $0.key < $1.key }) {
                    let probe = try await self.ssh(
                        name,
                        "hostname; cat /etc/machine-id; systemctl is-system-running; hostname -I"
                    )
                    try #require(probe.status == 0 || probe.status == 1, "cycle \(cycle): ssh \(name): \(probe)")
                    let lines = probe.stdout.split(separator: "\n").map(String.init)
                    try #require(lines.count == 4, "cycle \(cycle): ssh \(name) printed \(probe.stdout)")
                    #expect(lines[0] == name, "hostname of \(name)")
                    #expect(
                        lines[1].count == 32 && lines[1].allSatisfy(\.isHexDigit),
                        "machine-id of \(name): \(lines[1])"
                    )
                    #expect(lines[2] == "running", "systemd on \(name) is \(lines[2])")
                    #expect(lines[3].split(separator: " ").contains(Substring(address)), "\(name) has \(address)")
                    machineIDs[name] = lines[1]
                }
                #expect(Set(machineIDs.values).count == 4, "every host has its own machine-id: \(machineIDs)")

                // Strict checking is real: against an empty known_hosts file the same host is refused.
                let empty = FileManager.default.temporaryDirectory.appendingPathComponent("empty-known-hosts-\(cycle)")
                    .path
                _ = FileManager.default.createFile(atPath: empty, contents: Data())
                defer { try? FileManager.default.removeItem(atPath: empty) }
                let refused = try await self.ssh("brain", "true", knownHosts: empty)
                #expect(refused.status == 255 && refused.stderr.contains("Host key verification failed"), "\(refused)")

                // `up` again changes nothing: the same hosts answer with the same machine-ids.
                let again = try await self.lab("up", timeout: 120)
                #expect(again.status == 0, "\(again)")
                let sameID = try await self.ssh("heart", "cat /etc/machine-id")
                #expect(sameID.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == machineIDs["heart"])
                let status = try await self.lab("status", timeout: 60)
                #expect(status.status == 0, "status with all four up: \(status)")

                let down = try await self.lab("down", timeout: 120)
                try #require(down.status == 0, "cycle \(cycle): scripts/lab down failed: \(down)")
                try await self.expectNothingLeft(forwardingBefore: forwardingBefore, cycle: cycle)

                let downAgain = try await self.lab("down", timeout: 60)
                #expect(downAgain.status == 0, "down with nothing up: \(downAgain)")
                let statusDown = try await self.lab("status", timeout: 60)
                #expect(statusDown.status == 3, "status with nothing up: \(statusDown)")
            }
        }

        /// No process, mount, cgroup, bridge, nft table or changed sysctl remains from the lab.
        func expectNothingLeft(forwardingBefore: String, cycle: Int) async throws {
            let mounts = try String(contentsOfFile: "/proc/mounts", encoding: .utf8)
            #expect(!mounts.contains(Self.state), "cycle \(cycle): mounts left under \(Self.state)")

            let processes = try await ProcessRunner.shell(
                "ps -eo pid,args | grep -E 'systemd-nspawn|lurus-lab-loop' | grep -v grep"
            )
            #expect(processes.stdout.isEmpty, "cycle \(cycle): processes left: \(processes.stdout)")

            for hierarchy in ["/sys/fs/cgroup/systemd", "/sys/fs/cgroup/unified"] {
                let entries = (try? FileManager.default.contentsOfDirectory(atPath: hierarchy)) ?? []
                #expect(entries.filter { $0.hasPrefix("lab-") }.isEmpty, "cycle \(cycle): cgroups left in \(hierarchy)")
            }
            let link = try await ProcessRunner.run("/usr/sbin/ip", ["link", "show", "labbr0"])
            #expect(link.status != 0, "cycle \(cycle): bridge labbr0 left behind")
            let tables = try await ProcessRunner.shell("nft list tables")
            #expect(!tables.stdout.contains("lurus"), "cycle \(cycle): nft tables left: \(tables.stdout)")
            let forwarding = try String(contentsOfFile: "/proc/sys/net/ipv4/ip_forward", encoding: .utf8)
            #expect(forwarding == forwardingBefore, "cycle \(cycle): ip_forward not restored")
            let hostsFolder = (try? FileManager.default.contentsOfDirectory(atPath: "\(Self.state)/hosts")) ?? []
            #expect(hostsFolder.isEmpty, "cycle \(cycle): host roots left: \(hostsFolder)")
        }
    }
}
