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
        let probe = ShellScript("probe-services", fake + "\n" + ProbeGroups.servicesScript, ["7", "a", "3", "b"])
        let script =
            Array("exec 2>/dev/null\n".utf8) + ProbeBatch.inline(probe) + Array("echo '::lurus-probe end'\n".utf8)
        let result = try await self.local.shell(script)
        let states = try #require(ProbeBatch.parse(Array(result.stdout.utf8), count: 8))
        #expect(states[7] == ObservedState(values: ["LoadState": "loaded", "ActiveState": "active"]))
        #expect(states[3] == ObservedState(values: ["LoadState": "not-found", "ActiveState": "inactive"]))
    }
}
