import SystemPackage
import Testing

@testable import LurusRelease

/// ldd's output, recorded on Debian 12, read into libraries and turned into an image's files.
@Suite struct LinkedLibrariesTests {
    /// A service built with `--static-swift-stdlib`: the C and C++ runtimes stay dynamic.
    static let staticSwiftStdlib = """
        \tlinux-vdso.so.1 (0x00007ffc6b5f1000)
        \tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f0e4de00000)
        \tlibm.so.6 => /lib/x86_64-linux-gnu/libm.so.6 (0x00007f0e4e0f1000)
        \tlibgcc_s.so.1 => /lib/x86_64-linux-gnu/libgcc_s.so.1 (0x00007f0e4e0d1000)
        \tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f0e4dc1f000)
        \t/lib64/ld-linux-x86-64.so.2 (0x00007f0e4e1e9000)

        """

    @Test func aStaticSwiftStdlibBinaryLoadsTheCRuntimesThroughTheLoader() throws {
        let linked = try LinkedLibraries.parse(lddOutput: Self.staticSwiftStdlib, binary: "/build/gateway")
        #expect(
            linked.libraries.map(\.name) == ["libstdc++.so.6", "libm.so.6", "libgcc_s.so.1", "libc.so.6"],
            "linux-vdso.so.1 has no file and is left out"
        )
        #expect(linked.libraries[3].path == "/lib/x86_64-linux-gnu/libc.so.6")
        #expect(
            linked.loader
                == .init(name: "/lib64/ld-linux-x86-64.so.2", path: "/lib64/ld-linux-x86-64.so.2")
        )
        #expect(!linked.isStatic)
    }

    @Test func aLoaderLddResolvedElsewhereKeepsTheNameTheBinaryAsksFor() throws {
        let output = """
            \tlinux-vdso.so.1 =>  (0x00007fff5a5fe000)
            \tlibc.so.6 => /usr/lib/x86_64-linux-gnu/libc.so.6 (0x00007f1)
            \t/lib64/ld-linux-x86-64.so.2 => /usr/lib64/ld-linux-x86-64.so.2 (0x00007f2)
            """
        let linked = try LinkedLibraries.parse(lddOutput: output, binary: "/b")
        #expect(linked.libraries == [.init(name: "libc.so.6", path: "/usr/lib/x86_64-linux-gnu/libc.so.6")])
        #expect(linked.loader == .init(name: "/lib64/ld-linux-x86-64.so.2", path: "/usr/lib64/ld-linux-x86-64.so.2"))
    }

    @Test(arguments: ["\tstatically linked\n", "\tnot a dynamic executable\n"])
    func aStaticBinaryLoadsNothing(output: String) throws {
        let linked = try LinkedLibraries.parse(lddOutput: output, binary: "/b")
        #expect(linked.isStatic)
    }

    @Test func missingLibrariesAreAllNamed() {
        let output = """
            \tlinux-vdso.so.1 (0x00007ffc6b5f1000)
            \tlibFoundation.so => not found
            \tlibswiftCore.so => not found
            \tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f0e4dc1f000)
            """
        #expect(throws: OCIImageError.missingLibraries(binary: "/b", names: ["libFoundation.so", "libswiftCore.so"])) {
            try LinkedLibraries.parse(lddOutput: output, binary: "/b")
        }
    }

    @Test func anUnknownLineIsQuoted() {
        #expect(throws: OCIImageError.unreadableLddLine("\tsomething odd")) {
            try LinkedLibraries.parse(lddOutput: "\tsomething odd\n", binary: "/b")
        }
    }

    @Test func theImageHoldsTheBinaryTheLibrariesTheLoaderAndTheCABundle() throws {
        let files = try ServiceImageFiles.files(
            binary: "/build/release/gateway",
            at: "/usr/local/bin/gateway",
            lddOutput: Self.staticSwiftStdlib
        )
        let library = { (path: String) in ImageFile.file(path, from: FilePath(path), permissions: 0o755) }
        #expect(
            files == [
                .file("/usr/local/bin/gateway", from: "/build/release/gateway", permissions: 0o755),
                .file("/etc/ssl/certs/ca-certificates.crt", from: "/etc/ssl/certs/ca-certificates.crt"),
                .directory("/tmp", permissions: 0o1777),
                library("/lib/x86_64-linux-gnu/libstdc++.so.6"),
                library("/lib/x86_64-linux-gnu/libm.so.6"),
                library("/lib/x86_64-linux-gnu/libgcc_s.so.1"),
                library("/lib/x86_64-linux-gnu/libc.so.6"),
                library("/lib64/ld-linux-x86-64.so.2"),
            ]
        )
        let fullyStatic = try ServiceImageFiles.files(binary: "/b", at: "/b", lddOutput: "\tstatically linked\n")
        #expect(fullyStatic.map(\.path) == ["/b", "/etc/ssl/certs/ca-certificates.crt", "/tmp"])
    }

    @Test func lddRunsHere() async throws {
        let output = try await LddProbe.output(for: "/usr/bin/true")
        let linked = try LinkedLibraries.parse(lddOutput: output, binary: "/usr/bin/true")
        #expect(linked.libraries.map(\.name).contains("libc.so.6"), "\(output)")
        #expect(linked.loader?.name == "/lib64/ld-linux-x86-64.so.2")
        await #expect {
            try await LddProbe.output(for: "/nonexistent/binary")
        } throws: { error in
            guard case .lddFailed(let binary, _) = error as? OCIImageError else { return false }
            return binary == "/nonexistent/binary"
        }
    }
}
