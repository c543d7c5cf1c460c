import Foundation
import LurusRemote
import LurusTestSupport
import Testing

@testable import LurusEngine

/// Grouped probes (every package in one `dpkg-query`, every service in one `systemctl show`) answer each
/// resource exactly as its own probe does, run by a real `/bin/sh` and dpkg on this machine, with the
/// group's members among other resources and out of order.
@Suite struct ProbeGroupsTests {
    let local = LocalProbeApplyTests()

    /// What each resource's own probe answers, one batch per resource (no group can form).
    func alone(_ resources: [Resource]) async throws -> [ResourceID: ObservedState] {
        var states: [ResourceID: ObservedState] = [:]
        for resource in resources { states.merge(try await self.local.probe([resource])) { $1 } }
        return states
    }

    @Test func packagesReadTogetherAnswerAsEachAlone() async throws {
        let resources: [Resource] = [
            .package(Package("bash")),
            .file(File(path: "/nonexistent/lurus-x", text: "x")),
            .package(Package("lurus-no-such-package")),
            .package(Package("coreutils")),
            .package(Package("dpkg")),
        ]
        .map { Resource($0, component: "t") }
        #expect(ProbeGroups.groups(of: resources).map(\.members) == [[0, 2, 3, 4]])
        let together = try await self.local.probe(resources)
        let alone = try await self.alone(resources)
        #expect(together == alone)
        #expect(together[ResourceID(kind: "package", name: "bash")]?["status"] == "ii")
        #expect(together[ResourceID(kind: "package", name: "lurus-no-such-package")]?["status"] == "un")
    }

    @Test func servicesReadTogetherAnswerAsEachAlone() async throws {
        // Without systemd as PID 1 here, both read every unit as unknown; the lab runs the real thing.
        let resources: [Resource] = [
            .service(Service("ssh")), .directory(Directory(path: "/tmp")), .service(Service("cron")),
        ]
        .map { Resource($0, component: "t") }
        #expect(ProbeGroups.groups(of: resources).map(\.members) == [[0, 2]])
        #expect(try await self.local.probe(resources) == (try await self.alone(resources)))
    }

    @Test func theServicesScriptSplitsSystemdsBlocksInOrder() async throws {
        // systemctl's answer for two units, stood in by a function of the same name and output shape.
        let fake = """
            systemctl() { printf 'LoadState=loaded\\nActiveState=active\\n\\nLoadState=not-found\\nActiveState=inactive\\n'; }
            """
        let probe = ShellScript("probe-services", fake + "\n" + ProbeGroups.servicesScript, ["1", "a", "0", "b"])
        let script =
            Array("exec 2>/dev/null\n".utf8) + ProbeBatch.inline(probe) + Array("echo '::lurus-probe end'\n".utf8)
        let result = try await self.local.shell(script)
        let states = try #require(ProbeBatch.parse(Array(result.stdout.utf8), count: 2))
        #expect(states[1] == ObservedState(values: ["LoadState": "loaded", "ActiveState": "active"]))
        #expect(states[0] == ObservedState(values: ["LoadState": "not-found", "ActiveState": "inactive"]))
    }
}

/// Files and directories read together (one `stat`, one `sha256sum`) answer as each alone, on hostile
/// paths (quotes, `$(...)`, newlines, a leading dash, a backslash) and every type: a regular file the same,
/// differing, too large to show and secret, a directory, a symbolic link, a FIFO, nothing.
@Suite struct FileProbeGroupsTests {
    let local = LocalProbeApplyTests()

    @Test func filesAndDirectoriesReadTogetherAnswerAsEachAlone() async throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("lurus-groups-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: base) }
        let canary = "\(base)/pwned"
        let hostile = "\(base)/it's \"a\" $(touch \(canary)) \\ -x\nnext"
        try FileManager.default.createDirectory(atPath: hostile, withIntermediateDirectories: true)
        try "same\n".write(toFile: "\(hostile)/same", atomically: true, encoding: .utf8)
        try "was\n".write(toFile: "\(base)/-differs", atomically: true, encoding: .utf8)
        try String(repeating: "x", count: 300_000).write(toFile: "\(base)/large", atomically: true, encoding: .utf8)
        try "secret\n".write(toFile: "\(base)/secret", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: "\(base)/link", withDestinationPath: hostile)
        _ = try await ProcessRunner.run("/usr/bin/mkfifo", ["\(base)/fifo"])
        let files: [Resource.Kind] = [
            .file(File(path: "\(hostile)/same", text: "same\n")),
            .file(File(path: "\(base)/-differs", text: "now\n")),
            .file(File(path: "\(base)/large", text: "small\n")),
            .file(File(path: "\(base)/secret", text: "other\n", sensitive: true)),
            .file(File(path: hostile, text: "x")),
            .file(File(path: "\(base)/link", text: "x")),
            .file(File(path: "\(base)/fifo", text: "x")),
            .file(File(path: "\(base)/absent", text: "x")),
        ]
        let directories: [Resource.Kind] = [
            .directory(Directory(path: hostile)), .directory(Directory(path: base)),
            .directory(Directory(path: "\(base)/link")), .directory(Directory(path: "\(base)/fifo")),
            .directory(Directory(path: "\(base)/absent")),
        ]
        let resources = (files + directories + [.package(Package("bash"))]).map { Resource($0, component: "t") }
        #expect(ProbeGroups.groups(of: resources).map(\.members.count) == [5, 8])
        let together = try await self.local.probe(resources)
        var alone: [ResourceID: ObservedState] = [:]
        for resource in resources { alone.merge(try await self.local.probe([resource])) { $1 } }
        for resource in resources {
            #expect(together[resource.id] == alone[resource.id], "\(resource.id)")
        }
        #expect(together[ResourceID(kind: "file", name: "\(base)/-differs")]?["content"] != nil)
        #expect(together[ResourceID(kind: "file", name: "\(base)/large")]?["content"] == nil)
        #expect(together[ResourceID(kind: "file", name: "\(base)/secret")]?["content"] == nil)
        #expect(!FileManager.default.fileExists(atPath: canary), "a hostile name was run by the shell")
    }

    /// When `sha256sum` fails for the group (a file unreadable or gone meanwhile; stood in here by a
    /// function that fails), every file is read by its own probe, and the answers are the same.
    @Test func aFailingGroupReadFallsBackToEachFileAlone() async throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("lurus-groups-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: base) }
        try "a\n".write(toFile: "\(base)/a", atomically: true, encoding: .utf8)
        try "b\n".write(toFile: "\(base)/b", atomically: true, encoding: .utf8)
        let resources = [
            Resource(.file(File(path: "\(base)/a", text: "a\n")), component: "t"),
            Resource(.file(File(path: "\(base)/b", text: "c\n")), component: "t"),
            Resource(.file(File(path: "\(base)/missing", text: "b\n")), component: "t"),
        ]
        let group = try #require(ProbeGroups.groups(of: resources).first)
        var failing = group.probe
        failing.script = "sha256sum() { return 1; }\n" + failing.script
        let script =
            Array("exec 2>/dev/null\n".utf8) + ProbeBatch.inline(failing) + Array("echo '::lurus-probe end'\n".utf8)
        let result = try await self.local.shell(script)
        let states = try #require(ProbeBatch.parse(Array(result.stdout.utf8), count: resources.count))
        // The stand-in fails only inside the group's pass; the fallback's probes run sha256sum in
        // subshells that inherit it too, so they report the file without a digest: compare what is known.
        var alone: [ResourceID: ObservedState] = [:]
        for resource in resources { alone.merge(try await self.local.probe([resource])) { $1 } }
        #expect(states[0]["type"] == "file" && states[0]["meta"] == alone[resources[0].id]?["meta"])
        #expect(states[1]["type"] == "file" && states[1]["meta"] == alone[resources[1].id]?["meta"])
        #expect(states[2] == alone[resources[2].id])
    }
}

@Suite struct ProbeAnswerTests {
    @Test func anAnswerMissingAMembersMarkerIsCutShortNotAbsent() {
        let whole = Array("::lurus-probe 1\ntype=file\n::lurus-probe 0\ntype=absent\n::lurus-probe end\n".utf8)
        #expect(ProbeBatch.parse(whole, count: 2)?.map { $0["type"] } == ["absent", "file"])
        let missing = Array("::lurus-probe 1\ntype=file\n::lurus-probe end\n".utf8)
        #expect(ProbeBatch.parse(missing, count: 2) == nil)
    }
}
