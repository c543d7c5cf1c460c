import Foundation
import LurusComponents
import LurusEngine
import LurusInventory
import LurusRelease
import LurusTestSupport
import Testing

/// The systemd runtime's files: golden, and read by the real tools that will read them on a node
/// (`systemd-analyze verify`, `haproxy -c`), which also refuse a broken one.
@Suite struct SystemdFilesTests {
    let gateway = SystemdLayout(service: "gateway")

    func templates() async throws -> TemplateLibrary {
        try await TemplateLibrary(directory: Repository.path("templates"))
    }

    func check(_ actual: String, golden name: String) throws {
        let url = Repository.root.appendingPathComponent("Tests/LurusReleaseTests/Golden/\(name)")
        if ProcessInfo.processInfo.environment["LURUS_UPDATE_GOLDEN"] == "1" {
            try actual.write(to: url, atomically: true, encoding: .utf8)
        }
        #expect(actual == (try String(contentsOf: url, encoding: .utf8)), "differs from Golden/\(name)")
    }

    /// A fresh directory for files a validator reads.
    func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("systemd-files-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func tool(_ path: String) throws -> String {
        try #require(
            FileManager.default.isExecutableFile(atPath: path),
            "\(path) is missing: run scripts/setup (it installs haproxy and systemd)"
        )
        return path
    }

    @Test func theUnitIsWhatSystemdAccepts() async throws {
        let unit = try SystemdFiles.unit(
            self.gateway,
            executable: "lurus-gateway",
            drainSeconds: 30,
            templates: try await self.templates()
        )
        try self.check(unit, golden: "systemd-lurus-gateway@.service")
        #expect(unit.contains("ExecStart=/opt/lurus/gateway/slots/%i/release/bin/lurus-gateway"))
        #expect(unit.contains("TimeoutStopSec=40"), "stop waits out the drain and a margin")

        let folder = try self.directory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let verify = try self.tool("/usr/bin/systemd-analyze")
        // An instance of the template, as systemd loads it on a node; the binary (which only a deploy
        // puts on a node) replaced by one that exists, since verify refuses a missing one.
        let here = unit.replacingOccurrences(
            of: "ExecStart=/opt/lurus/gateway/slots/%i/release/bin/lurus-gateway",
            with: "ExecStart=/bin/true"
        )
        try #require(here != unit)
        try here.write(
            to: folder.appendingPathComponent("lurus-gateway@blue.service"),
            atomically: true,
            encoding: .utf8
        )
        let good = try await ProcessRunner.run(
            verify,
            ["verify", "--man=no", folder.appendingPathComponent("lurus-gateway@blue.service").path]
        )
        #expect(good.status == 0 && good.stdout.isEmpty && good.stderr.isEmpty, "\(good)")

        let broken = here.replacingOccurrences(of: "ExecStart=", with: "ExecStrat=")
        try broken.write(
            to: folder.appendingPathComponent("lurus-broken@blue.service"),
            atomically: true,
            encoding: .utf8
        )
        let refused = try await ProcessRunner.run(
            verify,
            ["verify", "--man=no", folder.appendingPathComponent("lurus-broken@blue.service").path]
        )
        #expect(refused.status != 0 && refused.stderr.contains("Unknown key 'ExecStrat'"), "\(refused)")
    }

    /// The lab's provider, billing and log: each one's unit (golden, verified like the gateway's) and the
    /// environment file its deployment runs with (golden, with `test-secret-NAME` for every secret).
    @Test(arguments: [Component.provider, .billing, .log])
    func theLabsOtherServicesGetUnitsSystemdAcceptsAndTheirEnvironment(component: Component) async throws {
        let inventory = try InventoryLoader.load(path: Repository.path("inventory/lab.yaml")).inventory
        let definition = try #require(ServiceCatalog.definition(of: component))
        let service = try #require(try ServiceCatalog.resolve(definition, in: inventory))
        let layout = SystemdLayout(service: service.name)
        let unit = try SystemdFiles.unit(
            layout,
            executable: definition.executable,
            drainSeconds: definition.drainSeconds,
            templates: try await self.templates()
        )
        try self.check(unit, golden: "systemd-lurus-\(service.name)@.service")
        let start = "ExecStart=/opt/lurus/\(service.name)/slots/%i/release/bin/\(definition.executable)"
        #expect(unit.contains(start + "\n"))
        #expect(unit.contains("User=lurus-\(service.name)\n"))
        #expect(unit.contains("TimeoutStopSec=\(definition.drainSeconds + 10)\n"))

        var secrets: [String: Secret] = [:]
        for name in service.secretFiles.map(\.secret) + service.digestedSecrets {
            secrets[name] = Secret(name: name, bytes: Array("test-secret-\(name)".utf8))
        }
        let environment = try Deployment.environmentFile(
            of: service,
            release: ReleaseID("0123456789ab")!,
            secrets: secrets
        )
        try self.check(environment, golden: "systemd-lab-\(service.name).env")
        #expect(!environment.contains("test-secret-"), "digests and paths, never a secret")
        #expect(environment.contains("\nHTTP_PORT=\"\(service.port)\"\n"), "the slot's own port comes after it")

        let folder = try self.directory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let verify = try self.tool("/usr/bin/systemd-analyze")
        let here = unit.replacingOccurrences(of: start, with: "ExecStart=/bin/true")
        try #require(here != unit)
        let file = folder.appendingPathComponent("lurus-\(service.name)@blue.service")
        try here.write(to: file, atomically: true, encoding: .utf8)
        let good = try await ProcessRunner.run(verify, ["verify", "--man=no", file.path])
        #expect(good.status == 0 && good.stdout.isEmpty && good.stderr.isEmpty, "\(good)")
    }

    @Test func theProxyConfigurationIsWhatHAProxyAccepts() async throws {
        let services = [
            SystemdFiles.ProxiedService(
                name: "provider",
                host: "0.0.0.0",
                port: 18101,
                healthPath: "/health"
            ),
            SystemdFiles.ProxiedService(
                name: "gateway",
                host: "0.0.0.0",
                port: 18100,
                healthPath: "/health"
            ),
        ]
        let configuration = try SystemdFiles.proxyConfiguration(services, templates: try await self.templates())
        try self.check(configuration, golden: "systemd-haproxy.cfg")
        // Both slots are in service: the one that is not running fails its check and takes no request.
        #expect(configuration.contains("server blue 127.0.0.1:28100\n"))
        #expect(configuration.contains("server green 127.0.0.1:38100\n"))
        #expect(configuration.contains("server green 127.0.0.1:38101\n"))
        #expect(!configuration.contains("disabled"))
        #expect(configuration.contains("    user haproxy\n"))
        #expect(
            configuration.range(of: "frontend gateway")!.lowerBound
                < configuration.range(of: "frontend provider")!.lowerBound
        )

        let folder = try self.directory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let haproxy = try self.tool("/usr/sbin/haproxy")
        let file = folder.appendingPathComponent("haproxy.cfg")
        try configuration.write(to: file, atomically: true, encoding: .utf8)
        let checked = try await ProcessRunner.run(haproxy, ["-c", "-f", file.path])
        #expect(checked.status == 0 && checked.stdout.contains("Configuration file is valid"), "\(checked)")
        #expect(!checked.stderr.contains("[ALERT]"), "\(checked)")

        try configuration.replacingOccurrences(of: "retry-on conn-failure", with: "retry-on conn-failed")
            .write(to: file, atomically: true, encoding: .utf8)
        let refused = try await ProcessRunner.run(haproxy, ["-c", "-f", file.path])
        #expect(refused.status != 0, "\(refused)")
    }

    @Test func eachSlotListensOnLoopbackOnItsOwnPort() {
        let blue = SystemdFiles.slotEnvironment(self.gateway, slot: .blue, servicePort: 18100)
        let green = SystemdFiles.slotEnvironment(self.gateway, slot: .green, servicePort: 18100)
        #expect(blue.contains("HTTP_HOST=127.0.0.1\nHTTP_PORT=28100\n"))
        #expect(green.contains("HTTP_PORT=38100\n"))
        #expect(green.contains("SPOOL_DIRECTORY=/var/lib/lurus-gateway/green/spool\n"))
        #expect(SystemdLayout.Slot.blue.other == .green && SystemdLayout.Slot.green.other == .blue)
    }

    @Test func theLayoutNamesEveryPlace() {
        let id = ReleaseID("0123456789ab")!
        #expect(self.gateway.release(id) == "/opt/lurus/gateway/releases/0123456789ab")
        #expect(self.gateway.slot(.green) == "/opt/lurus/gateway/slots/green")
        #expect(self.gateway.unit(.blue) == "lurus-gateway@blue.service")
        #expect(self.gateway.environment(of: .blue) == "/etc/lurus/gateway/blue.env")
    }
}
