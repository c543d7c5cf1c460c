import Foundation
import LurusTestSupport
import SystemPackage
import Testing

@testable import LurusRelease

/// An independent reader of OCI layouts, umoci (Debian package `umoci`), checks the archives: it verifies
/// every blob's digest and size and the layer's diff ID while it unpacks the image into a runtime bundle.
@Suite struct UmociValidationTests {
    static let umoci = "/usr/bin/umoci"

    /// Extracts the archive and has umoci unpack the image it names; returns the bundle's directory.
    func unpack(
        _ archive: URL,
        tag: String,
        in directory: URL,
        corrupting: ((URL) throws -> Void)? = nil
    )
        async throws -> (ProcessRunner.Result, URL)
    {
        let layout = directory.appendingPathComponent("layout")
        try FileManager.default.createDirectory(at: layout, withIntermediateDirectories: false)
        let extraction = try await runTool(
            "/usr/bin/tar",
            ["-xf", archive.path, "-C", layout.path],
            installedBy: "tar"
        )
        try #require(extraction.status == 0, "\(extraction)")
        try corrupting?(layout)
        let bundle = directory.appendingPathComponent("bundle")
        let result = try await runTool(
            Self.umoci,
            ["unpack", "--image", layout.path + ":" + tag, bundle.path],
            installedBy: "umoci"
        )
        return (result, bundle)
    }

    @Test func umociUnpacksTheImageWithItsFilesModesAndConfiguration() async throws {
        let directory = try makeScratchDirectory("umoci")
        defer { try? FileManager.default.removeItem(at: directory) }
        let sources = directory.appendingPathComponent("sources")
        try FileManager.default.createDirectory(at: sources, withIntermediateDirectories: false)
        let files = try OCIImageWriterTests.tree(in: sources, mtime: 7)
        let archive = directory.appendingPathComponent("image.tar")
        _ = try await OCIImageWriter(OCIImageWriterTests.description(files)).write(to: FilePath(archive.path))

        let (result, bundle) = try await self.unpack(archive, tag: "r1", in: directory)
        #expect(result.status == 0, "\(result)")
        let rootfs = bundle.appendingPathComponent("rootfs")
        for file in files {
            let path = rootfs.path + file.path
            switch file.content {
            case .file(let source):
                #expect(
                    FileManager.default.contents(atPath: path) == FileManager.default.contents(atPath: source.string)
                )
                #expect(try permissions(at: path) == Int(file.permissions.rawValue), "\(file.path)")
            case .bytes(let bytes):
                #expect(FileManager.default.contents(atPath: path).map(Array.init) == bytes)
                #expect(try permissions(at: path) == Int(file.permissions.rawValue), "\(file.path)")
            case .directory:
                #expect(try permissions(at: path) == Int(file.permissions.rawValue), "\(file.path)")
            case .symbolicLink(let target):
                #expect(try FileManager.default.destinationOfSymbolicLink(atPath: path) == target)
            }
        }
        #expect(try permissions(at: rootfs.path + "/usr/local/bin") == 0o755, "an added parent directory")

        // umoci turns the image configuration into the runtime's: the start-up survived.
        let runtime =
            try JSONSerialization.jsonObject(
                with: try Data(contentsOf: bundle.appendingPathComponent("config.json"))
            ) as! [String: Any]
        let process = try #require(runtime["process"] as? [String: Any])
        #expect(process["args"] as? [String] == ["/usr/local/bin/gateway", "serve"])
        #expect(process["cwd"] as? String == "/")
        #expect((process["env"] as? [String])?.contains("TZ=UTC") == true)
        let user = process["user"] as? [String: Any]
        #expect(user?["uid"] as? Int == 65532)
        #expect(user?["gid"] as? Int == 65532)
    }

    @Test func umociRefusesABlobWhoseBytesDoNotMatchItsDigest() async throws {
        let directory = try makeScratchDirectory("umoci-corrupt")
        defer { try? FileManager.default.removeItem(at: directory) }
        let writer = try OCIImageWriter(
            OCIImageWriterTests.description([.bytes("/usr/local/bin/gateway", Array("binary".utf8), permissions: 0o755)]
            )
        )
        let archive = directory.appendingPathComponent("image.tar")
        let digests = try await writer.write(to: FilePath(archive.path))
        let (result, _) = try await self.unpack(archive, tag: "r1", in: directory) { layout in
            let blob = layout.appendingPathComponent("blobs/sha256/" + digests.layer.digest.hex)
            var bytes = try Data(contentsOf: blob)
            let offset = bytes.range(of: Data("binary".utf8))!.lowerBound
            bytes[offset] = UInt8(ascii: "B")
            try bytes.write(to: blob)
        }
        #expect(result.status != 0, "umoci unpacked a layer whose digest is wrong:\n\(result)")
        #expect(result.stderr.contains("digest") || result.stderr.contains("verified"), "\(result)")
    }

    /// A real binary's image (`/usr/bin/echo` and what ldd says it loads) runs from the unpacked rootfs alone.
    @Test func aBinarysImageRunsFromItsRootfs() async throws {
        let directory = try makeScratchDirectory("umoci-run")
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = try await LddProbe.serviceImageFiles(binary: "/usr/bin/echo", at: "/usr/bin/echo")
        let image = ImageDescription(
            name: "lurus.local/echo:test",
            configuration: ImageConfiguration(entrypoint: ["/usr/bin/echo"]),
            files: files
        )
        let archive = directory.appendingPathComponent("image.tar")
        _ = try await OCIImageWriter(image).write(to: FilePath(archive.path))
        let (result, bundle) = try await self.unpack(archive, tag: "test", in: directory)
        #expect(result.status == 0, "\(result)")
        let rootfs = bundle.appendingPathComponent("rootfs").path
        let run = try await runTool(
            "/usr/sbin/chroot",
            [rootfs, "/usr/bin/echo", "from the image"],
            installedBy: "coreutils"
        )
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout == "from the image\n")
        #expect(FileManager.default.fileExists(atPath: rootfs + "/etc/ssl/certs/ca-certificates.crt"))
    }
}
