import Foundation
import LurusEngine
import LurusInventory
import LurusRemote
import LurusTestSupport
import Testing

@testable import LurusRelease

/// The import step against a real containerd (Debian's 1.6, the line K3s embeds; `scripts/setup` installs
/// it): a daemon of the test's own in a scratch folder, `k3s ctr` standing for K3s's embedded copy of the
/// same `ctr`. The archive lurusctl writes goes through `import-image.sh` on standard input exactly as a
/// deploy sends it, and what containerd then lists must be the archive's digest, pinned.
@Suite(.serialized) struct ContainerdImportTests {
    /// A containerd serving on a socket in `folder`, stopped at the end of `body`.
    static func withContainerd<T>(_ body: (_ shim: URL) async throws -> T) async throws -> T {
        try #require(
            FileManager.default.isExecutableFile(atPath: "/usr/bin/containerd")
                && FileManager.default.isExecutableFile(atPath: "/usr/bin/ctr"),
            "containerd is not installed: run scripts/setup (it installs Debian's containerd)"
        )
        let folder = URL(fileURLWithPath: "/tmp/lurus-containerd-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("bin"),
            withIntermediateDirectories: true
        )
        defer { try? FileManager.default.removeItem(at: folder) }
        let socket = folder.appendingPathComponent("containerd.sock").path
        try """
        version = 2
        root = "\(folder.path)/root"
        state = "\(folder.path)/state"
        disabled_plugins = ["io.containerd.grpc.v1.cri"]
        [grpc]
          address = "\(socket)"
        [plugins."io.containerd.internal.v1.opt"]
          path = "\(folder.path)/opt"
        """.write(to: folder.appendingPathComponent("config.toml"), atomically: true, encoding: .utf8)
        // `k3s ctr ARGS` is K3s's embedded ctr; here the same ctr on this daemon. The native snapshotter
        // unpacks without overlay mounts, which a container may not allow.
        let shim = folder.appendingPathComponent("bin/k3s")
        try """
        #!/bin/sh
        [ "$1" = ctr ] || { echo "k3s shim: only ctr" >&2; exit 2; }
        shift
        exec /usr/bin/ctr --address \(socket) "$@"
        """.write(to: shim, atomically: true, encoding: .utf8)
        chmod(shim.path, 0o755)
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: "/usr/bin/containerd")
        daemon.arguments = ["--config", folder.appendingPathComponent("config.toml").path]
        daemon.standardOutput = FileHandle.nullDevice
        daemon.standardError = FileHandle.nullDevice
        try daemon.run()
        defer {
            daemon.terminate()
            daemon.waitUntilExit()
        }
        let deadline = ContinuousClock.now + .seconds(20)
        while !FileManager.default.fileExists(atPath: socket) {
            try #require(ContinuousClock.now < deadline && daemon.isRunning, "containerd did not start in 20 s")
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await body(folder.appendingPathComponent("bin"))
    }

    /// Runs `command` as a node's shell would (`sh -c`), with the shim first on PATH and `input` on stdin.
    static func run(_ command: ShellCommand, path: URL, input: String? = nil) async throws -> ProcessRunner.Result {
        let line = String(decoding: Shell.render(command), as: UTF8.self)
        let feed = input.map { " < '\($0)'" } ?? ""
        return try await ProcessRunner.run(
            "/bin/sh",
            [
                "-c",
                "PATH=\(path.path):$PATH CONTAINERD_SNAPSHOTTER=native; export PATH CONTAINERD_SNAPSHOTTER; \(line)\(feed)",
            ],
            timeout: 120
        )
    }

    @Test func theArchiveIsImportedPinnedAndListedWithItsDigest() async throws {
        let inventory = try ManifestFixtures.inventory("lurus")
        let gateway = try #require(try ServiceCatalog.resolve(in: inventory).first { $0.name == "gateway" })
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("lurus-import-\(getpid())")
        defer { try? FileManager.default.removeItem(at: root) }
        let cache = BuildCache(root: root)
        let built = try K3sFixtures.standInRelease(of: gateway, in: cache)
        let archive = try await ServiceImageArchive.make(for: gateway, built: built, cache: cache)
        // The image's configuration (a JSON blob stored as is in the archive) tells the service its release.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: archive.path))
        #expect(bytes.range(of: Data("\"LURUS_RELEASE=\(built.id)\"".utf8)) != nil, "no LURUS_RELEASE in the image")
        let templates = try await ManifestFixtures.templates()
        let script = try templates.render("services/k3s/import-image.sh", [:])
        let node = try #require(inventory.nodes.first)

        try await Self.withContainerd { shim in
            let before = try await Self.run(ContainerdImages.list, path: shim)
            #expect(before.status == 0, "\(before)")
            #expect(ContainerdImages.parse(before.stdout).state(of: archive.image) == .missing)

            let command = ShellScript(
                "lurus-k3s-import",
                script,
                ["lurus.local/gateway", archive.tag, archive.image.reference]
            ).command
            let imported = try await Self.run(command, path: shim, input: archive.path)
            #expect(imported.status == 0, "\(imported)")
            let listed = ContainerdImages.parse(imported.stdout)
            try K3sDeployer.verify(archive.image, in: listed, on: node)
            #expect(Set(listed.rows(of: archive.image).map(\.reference)) == [archive.tag, archive.image.reference])

            // Imported again (a rerun): the same refs, still pinned.
            let again = try await Self.run(command, path: shim, input: archive.path)
            #expect(again.status == 0, "\(again)")
            try K3sDeployer.verify(archive.image, in: ContainerdImages.parse(again.stdout), on: node)

            // Pruned: both refs removed, nothing of the gateway left.
            let removed = try await Self.run(
                ContainerdImages.remove(listed.references(of: "gateway", digests: [archive.image.digest])),
                path: shim
            )
            #expect(removed.status == 0, "\(removed)")
            let after = try await Self.run(ContainerdImages.list, path: shim)
            #expect(ContainerdImages.parse(after.stdout).digests(of: "gateway").isEmpty, "\(after)")
        }
    }
}
