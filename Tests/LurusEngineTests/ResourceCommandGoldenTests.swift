import Foundation
import LurusRemote
import Testing

@testable import LurusEngine

/// The probe and apply commands of every resource kind, rendered exactly as they go to a node, with hostile
/// names and contents: compared with `Golden/resource-commands.txt` (regenerate with
/// `LURUS_UPDATE_GOLDEN=1 swift test --filter ResourceCommandGolden`).
@Suite struct ResourceCommandGoldenTests {
    static let hostile = "/tmp/it's a \"dir\"/$(touch pwned) `id`; rm -rf *\nnext"

    /// One of each kind, each with what an attacker (or an unlucky operator) could put in a name.
    static let resources: [Resource.Kind] = [
        .package(Package("postgresql-15", version: "15.8")),
        .package(Package("telnet", ensure: .absent)),
        .aptRepository(
            AptRepository(
                name: "tailscale",
                uris: "https://pkgs.tailscale.com/stable/debian",
                suites: "bookworm",
                components: "main",
                signingKey: "-----BEGIN PGP PUBLIC KEY BLOCK-----\n$(evil)\n-----END PGP PUBLIC KEY BLOCK-----\n"
            )
        ),
        .file(File(path: hostile, text: "line 'one'\n$(not run)\n", mode: 0o640, owner: "lurus", group: "adm")),
        .file(File(path: "/etc/lurus/secrets/token", text: "s3cr3t-value\n", mode: 0o600, sensitive: true)),
        .fileBlock(FileBlock(path: "/etc/hosts", name: "nodes", lines: ["10.0.0.1 brain"])),
        .directory(Directory(path: hostile, mode: 0o750, owner: "lurus", group: "lurus")),
        .symlink(Symlink(path: "/opt/lurus/current", target: hostile)),
        .download(
            Download(
                url: "https://example.com/a b?x=$(id)",
                sha256: String(repeating: "ab", count: 32),
                path: "/usr/local/bin/minio"
            )
        ),
        .systemdUnit(SystemdUnit(name: "lurus-gateway.service", content: "[Service]\nExecStart=/opt/lurus/gateway\n")),
        .service(
            Service("lurus-gateway.service", restartOn: [ResourceID(kind: "file", name: "/etc/lurus/gateway.env")])
        ),
        .user(User("lurus", home: "/var/lib/lurus home")),
        .group(Group("lurus")),
        .sysctl(Sysctl("vm.overcommit_memory", "1")),
        .command(
            Command(
                "create role",
                ShellCommand(["psql", "-v", "name=it's"]),
                input: Array("secret".utf8),
                creates: hostile
            )
        ),
        .command(Command("check", ShellCommand(["true"]), unless: ShellCommand(["test", "-e", hostile]))),
    ]

    static func render(_ command: ApplyCommand) -> String {
        switch command {
        case .run(let command, let input, let timeout):
            "run \(String(decoding: Shell.render(command), as: UTF8.self)) (stdin \(input.count) bytes, timeout \(timeout))"
        case .upload(let path, let content, let mode, let owner):
            "upload \(Shell.quote(path)) (\(content.count) bytes, mode \(octal(mode)), owner \(owner))"
        case .aptInstall(let packages):
            "apt-install \(String(decoding: Shell.render(AptInstall.command(packages).command), as: UTF8.self))"
        }
    }

    static func transcript() -> String {
        var lines: [String] = []
        for kind in self.resources {
            let resource = Resource(kind, component: "test")
            let spec = resource.spec
            lines.append("## \(resource.id)")
            lines.append("probe: \(String(decoding: Shell.render(spec.probe.command), as: UTF8.self))")
            var actions: [Difference.Action] = [.create, .change, .remove]
            if case .service = kind { actions = [.change, .restart, .reload] }
            if case .command = kind { actions = [.run] }
            var seen: [String: Difference.Action] = [:]
            for action in actions {
                var difference = Difference(action, details: action == .change ? ["content"] : [])
                if case .service = kind { difference.details = ["enable", "start"] }
                if case .fileBlock = kind { difference.content = .text(before: "", after: "10.0.0.1 brain\n") }
                let rendered = spec.apply(difference).map(self.render).joined(separator: "\n    then ")
                if let earlier = seen[rendered] {
                    lines.append("\(action.rawValue): same as \(earlier.rawValue)")
                } else {
                    lines.append("\(action.rawValue): \(rendered)")
                    seen[rendered] = action
                }
            }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    @Test func commandsMatchTheGoldenFile() throws {
        let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "Golden/resource-commands.txt"
        )
        let actual = Self.transcript()
        if ProcessInfo.processInfo.environment["LURUS_UPDATE_GOLDEN"] == "1" {
            try actual.write(to: golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        #expect(actual == expected)
    }

    @Test func secretsNeverAppearInCommands() {
        let transcript = Self.transcript()
        #expect(!transcript.contains("s3cr3t-value"))
        #expect(!transcript.contains("secret\""))
    }
}
