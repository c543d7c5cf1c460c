import Foundation
import LurusRemote
import LurusTestSupport
import Testing

@testable import LurusEngine

/// Probe and apply commands run by a real `/bin/sh` here, on paths no one should have to handle: the
/// batched probe sees what the applies made, and nothing escapes the quoting.
@Suite struct LocalProbeApplyTests {
    func shell(_ script: [UInt8]) async throws -> ProcessRunner.Result {
        try await ProcessRunner.run("/bin/sh", ["-s"], input: script, timeout: 30)
    }

    @Test func hostilePathsRoundTrip() async throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("lurus-probe-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: base) }
        let canary = "\(base)/pwned"
        let hostile = "\(base)/it's a \"dir\" $(touch \(canary)) `touch \(canary)`; *\nnext"
        let directory = Directory(path: hostile, mode: 0o750)
        let link = Symlink(path: "\(base)/link -> $(id) `id` 'q'", target: hostile)
        let file = File(path: "\(hostile)/file 'x'", text: "hello\n$(touch \(canary))\n", mode: 0o640)
        let group = Group("lurus-no-such-group-\(UInt16.random(in: 0...9999))")
        let check = Command("guarded", ShellCommand(["touch", "\(base)/ran"]), creates: "\(base)/ran")
        let resources: [Resource] = [
            .directory(directory), .symlink(link), .file(file), .group(group), .command(check),
        ]
        .map { Resource($0, component: "test") }

        // Everything is missing at first.
        let before = try await self.probe(resources)
        let first = resources.map { $0.spec.compare(with: before[$0.id]!, changed: []).action }
        #expect(first == [.create, .create, .create, .create, .run])

        // Apply what a shell can (the file is written here as the node's upload would).
        for resource in resources where resource.id.kind != "group" {
            for command in resource.spec.apply(Difference(.create)) {
                guard case .run(let shellCommand, _, _) = command else { continue }
                let result = try await self.shell(Shell.render(shellCommand))
                #expect(result.status == 0, "\(resource.id): \(result)")
            }
        }
        try Data(file.content).write(to: URL(fileURLWithPath: file.path))
        chmod(file.path, 0o640)

        let after = try await self.probe(resources)
        for resource in resources where resource.id.kind != "group" {
            #expect(
                resource.spec.compare(with: after[resource.id]!, changed: []) == .none,
                "\(resource.id): \(after[resource.id]!)"
            )
        }
        #expect(!FileManager.default.fileExists(atPath: canary), "a hostile name was run by the shell")

        // Drift: content and mode changed by hand are both reported, with the old text for the diff.
        try Data("hand edit\n".utf8).write(to: URL(fileURLWithPath: file.path))
        chmod(file.path, 0o666)
        let drifted = try await self.probe(resources)
        let difference = file.compare(with: drifted[file.id]!, changed: [])
        #expect(difference.action == .change)
        #expect(difference.details == ["mode 0666 -> 0640", "content"])
        #expect(difference.content == .text(before: "hand edit\n", after: "hello\n$(touch \(canary))\n"))
    }

    /// A block is set in the file as it is when the step runs: a file a package installed after the probe
    /// (found absent) keeps its text, mode and owner, and a second apply replaces the block in place.
    @Test func fileBlockEditsTheFileAsItIsWhenApplied() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lurus-block-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let block = FileBlock(path: path, name: "includes", lines: ["include /etc/redis/lurus.conf"])
        let planned = block.compare(
            with: try await self.probe([Resource(.fileBlock(block), component: "t")])[block.id]!,
            changed: []
        )
        #expect(planned.action == .create)
        // Installed meanwhile, by a package.
        try Data("dir /var/lib/redis\nport 6379\n".utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o640)
        func apply(_ block: FileBlock) async throws {
            for command in block.apply(planned) {
                guard case .run(let shellCommand, let input, _) = command else { continue }
                let result = try await ProcessRunner.run(
                    "/bin/sh",
                    ["-c", String(decoding: Shell.render(shellCommand), as: UTF8.self)],
                    input: input,
                    timeout: 30
                )
                #expect(result.status == 0, "\(result)")
            }
        }
        try await apply(block)
        let lines = { try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init) }
        #expect(
            try lines() == ["dir /var/lib/redis", "port 6379", block.begin, "include /etc/redis/lurus.conf", block.end]
        )
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o640)
        try await apply(FileBlock(path: path, name: "includes", lines: ["include /etc/other.conf"]))
        #expect(try lines() == ["dir /var/lib/redis", "port 6379", block.begin, "include /etc/other.conf", block.end])
    }

    @Test func sensitiveFilesAreNeverFetched() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lurus-secret-\(UUID().uuidString)")
            .path
        try Data("old-secret-value\n".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = File(path: path, text: "new-secret-value\n", mode: 0o600, sensitive: true)
        let observed = try await self.probe([Resource(.file(file), component: "test")])
        #expect(observed[file.id]?["content"] == nil)
        #expect(file.compare(with: observed[file.id]!, changed: []).content == .hidden)
    }

    func probe(_ resources: [Resource]) async throws -> [ResourceID: ObservedState] {
        let result = try await self.shell(ProbeBatch.script(for: resources))
        #expect(result.status == 0, "\(result)")
        let states = try #require(ProbeBatch.parse(Array(result.stdout.utf8), count: resources.count))
        return Dictionary(uniqueKeysWithValues: zip(resources.map(\.id), states))
    }

    /// A batch far larger than the shell's read buffer is answered whole: the script comes on stdin, so
    /// nothing in it may take stdin away from the shell.
    @Test func largeBatchIsReadWhole() async throws {
        // Symbolic links keep a probe each; the files are read as one group.
        let resources = (0..<1500).flatMap {
            [
                Resource(.file(File(path: "/nonexistent/lurus-\($0)", text: "\($0)")), component: "t"),
                Resource(.symlink(Symlink(path: "/nonexistent/lurus-link-\($0)", target: "/x")), component: "t"),
            ]
        }
        #expect(ProbeBatch.script(for: resources).count > 500_000)
        let observed = try await self.probe(resources)
        #expect(observed.count == 3000)
        #expect(observed.values.allSatisfy { $0["type"] == "absent" })
    }
}
