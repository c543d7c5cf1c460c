import Foundation
import LurusRelease
import Testing

@Suite struct ReleaseIDTests {
    /// A package tree in a fresh directory: Package.swift, two sources, a test and a build folder.
    func package(_ files: [String: String]) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("release-id-\(UUID().uuidString)")
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(),
                withIntermediateDirectories: true
            )
            try Data(text.utf8).write(to: url)
        }
        return root
    }

    let tree = [
        "Package.swift": "// swift-tools-version:6.0\n",
        "Sources/lurus-gateway/main.swift": "print(1)\n",
        "Sources/LurusGateway/App/App.swift": "struct App {}\n",
        "Tests/GatewayTests/T.swift": "// a test\n",
        ".build/debug/lurus-gateway": "binary",
    ]

    func id(
        _ files: [String: String],
        _ configuration: ReleaseID.Configuration = .debug,
        toolchain: String = "6.3.1"
    )
        throws -> ReleaseID
    {
        let root = try self.package(files)
        defer { try? FileManager.default.removeItem(at: root) }
        return ReleaseID.of(try BuildInputs.read(package: root), configuration: configuration, toolchain: toolchain)
    }

    @Test func theSameSourcesGiveTheSameIDWhereverTheyAre() throws {
        let first = try self.id(self.tree)
        #expect(try self.id(self.tree) == first)
        #expect(first.value.count == 12 && ReleaseID(first.value) == first)
    }

    @Test func whatMakesTheBuildChangesTheIDAndNothingElseDoes() throws {
        let base = try self.id(self.tree)
        var edited = self.tree
        edited["Sources/lurus-gateway/main.swift"] = "print(2)\n"
        #expect(try self.id(edited) != base, "a source edited")
        var renamed = self.tree
        renamed["Sources/LurusGateway/App/Renamed.swift"] = renamed.removeValue(
            forKey: "Sources/LurusGateway/App/App.swift"
        )
        #expect(try self.id(renamed) != base, "a source renamed")
        var pinned = self.tree
        pinned["Package.resolved"] = "{\"pins\": []}\n"
        #expect(try self.id(pinned) != base, "the package pins")
        #expect(try self.id(self.tree, .release) != base, "another configuration")
        #expect(try self.id(self.tree, toolchain: "6.3.2") != base, "another toolchain")
        var unrelated = self.tree
        unrelated["Tests/GatewayTests/T.swift"] = "// another test\n"
        unrelated[".build/debug/lurus-gateway"] = "another binary"
        unrelated["bench/run"] = "#!/bin/sh\n"
        #expect(try self.id(unrelated) == base, "tests, benchmarks and build folders do not count")
    }

    @Test func onlyTwelveLowercaseHexDigitsAreAnID() {
        #expect(ReleaseID("0123456789ab") != nil)
        #expect(ReleaseID("0123456789AB") == nil)
        #expect(ReleaseID("0123456789a") == nil)
        #expect(ReleaseID("../../etc/pw") == nil)
    }

    @Test func aPackageWithoutSourcesIsNamed() throws {
        let root = try self.package(["Package.swift": "// no sources\n"])
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(throws: ReleaseError.self) { try BuildInputs.read(package: root) }
    }
}
