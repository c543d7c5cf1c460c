import Testing

@testable import LurusRelease

/// The layer's members: checked paths, the directories they lie in, one fixed order.
@Suite struct ImageLayerTests {
    @Test func parentsAreAddedAndEverythingIsSortedByBytes() throws {
        let layer = try ImageLayer([
            .bytes("/usr/local/bin/gateway", [1], permissions: 0o755),
            .symbolicLink("/lib64", to: "usr/lib64"),
            .directory("/usr", permissions: 0o700),
            .bytes("/usr-notes", [2]),
            .bytes("/etc/ssl/certs/ca-certificates.crt", [3]),
        ])
        #expect(
            layer.members.map(\.path) == [
                "etc", "etc/ssl", "etc/ssl/certs", "etc/ssl/certs/ca-certificates.crt", "lib64", "usr",
                "usr-notes", "usr/local", "usr/local/bin", "usr/local/bin/gateway",
            ]
        )
        #expect(layer.members.first { $0.path == "usr" }?.permissions == 0o700, "a given directory keeps its mode")
        #expect(layer.members.first { $0.path == "usr/local" }?.permissions == 0o755)
        #expect(layer.members.first { $0.path == "lib64" }?.content == .symbolicLink("usr/lib64"))
    }

    @Test func theOrderDoesNotDependOnTheDescriptionsOrder() throws {
        let files: [ImageFile] = [.bytes("/b/x", [1]), .bytes("/a", [2]), .bytes("/b/y", [3]), .directory("/c")]
        #expect(try ImageLayer(files) == ImageLayer(files.reversed()))
    }

    @Test(arguments: [
        ("usr/bin/x", "is not absolute"),
        ("/", "is the root, which every image has"),
        ("/usr//bin", "has an empty component (// or a trailing /)"),
        ("/usr/bin/", "has an empty component (// or a trailing /)"),
        ("/usr/../etc/passwd", "has a . or .. component"),
        ("/./x", "has a . or .. component"),
        ("/x\u{0}y", "holds a NUL byte"),
    ])
    func badPathsAreRefusedWithTheReason(path: String, reason: String) {
        #expect(throws: OCIImageError.invalidPath(path, reason: reason)) { try ImageLayer([.bytes(path, [])]) }
    }

    @Test func conflictsAreRefused() {
        #expect(throws: OCIImageError.duplicatePath("/a")) { try ImageLayer([.bytes("/a", [1]), .directory("/a")]) }
        #expect(throws: OCIImageError.pathUnderNonDirectory("/lib/libc.so.6", parent: "/lib")) {
            try ImageLayer([.symbolicLink("/lib", to: "usr/lib"), .bytes("/lib/libc.so.6", [1])])
        }
        #expect(throws: OCIImageError.invalidLinkTarget(path: "/l", target: "")) {
            try ImageLayer([.symbolicLink("/l", to: "")])
        }
        #expect(throws: OCIImageError.invalidPermissions(path: "/x", mode: FileMode(rawValue: 0o100755))) {
            try ImageLayer([.bytes("/x", [], permissions: .init(rawValue: 0o100755))])
        }
    }
}
