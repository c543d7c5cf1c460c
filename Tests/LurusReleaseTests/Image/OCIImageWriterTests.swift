import Foundation
import LurusTestSupport
import SystemPackage
import Testing

@testable import LurusRelease

/// The whole archive: reproducible to the byte, a well-formed OCI layout, and careful with its sources.
@Suite struct OCIImageWriterTests {
    /// A small tree of real files in `directory`, the same bytes every time, with mtimes `seconds` after
    /// the epoch.
    static func tree(in directory: URL, mtime seconds: Int) throws -> [ImageFile] {
        let contents: [(String, [UInt8])] = [
            ("gateway", (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }),
            ("settings.json", Array(#"{"port":8080}"#.utf8)),
            ("ca.crt", Array("-----BEGIN CERTIFICATE-----\n".utf8)),
        ]
        for (name, bytes) in contents {
            let url = directory.appendingPathComponent(name)
            try Data(bytes).write(to: url)
            try FileManager.default.setAttributes(
                [.modificationDate: Date(timeIntervalSince1970: TimeInterval(seconds)), .posixPermissions: 0o600],
                ofItemAtPath: url.path
            )
        }
        let source = { (name: String) in FilePath(directory.appendingPathComponent(name).path) }
        return [
            .file("/usr/local/bin/gateway", from: source("gateway"), permissions: 0o755),
            .file("/etc/gateway/settings.json", from: source("settings.json")),
            .file("/etc/ssl/certs/ca-certificates.crt", from: source("ca.crt")),
            .bytes("/etc/gateway/release", Array("r1\n".utf8)),
            .symbolicLink("/usr/bin/gateway", to: "../local/bin/gateway"),
            .directory("/tmp", permissions: 0o1777),
        ]
    }

    static func description(_ files: [ImageFile]) -> ImageDescription {
        ImageDescription(
            name: "lurus.local/gateway:r1",
            configuration: ImageConfiguration(
                entrypoint: ["/usr/local/bin/gateway"],
                command: ["serve"],
                environment: ["TZ": "UTC"],
                workingDirectory: "/",
                user: "65532:65532",
                exposedPorts: [.init(8080)],
                labels: ["org.opencontainers.image.version": "r1"]
            ),
            files: files
        )
    }

    @Test func theSameInputsGiveTheSameBytesWhateverTheFilesTimes() async throws {
        let first = try makeScratchDirectory("repro-a")
        let second = try makeScratchDirectory("repro-b")
        defer {
            try? FileManager.default.removeItem(at: first)
            try? FileManager.default.removeItem(at: second)
        }
        let early = try OCIImageWriter(Self.description(try Self.tree(in: first, mtime: 1_000_000)))
        let late = try OCIImageWriter(
            Self.description(try Self.tree(in: second, mtime: 1_700_000_000)),
            chunkSize: 4096
        )
        let firstArchive = FilePath(first.appendingPathComponent("image.tar").path)
        let secondArchive = FilePath(second.appendingPathComponent("image.tar").path)
        let one = try await early.write(to: firstArchive)
        let two = try await late.write(to: secondArchive)
        let collector = ChunkCollector()
        let three = try await late.write(into: collector.sink)

        #expect(one == two)
        #expect(one == three)
        let bytes = try #require(FileManager.default.contents(atPath: firstArchive.string))
        #expect(bytes == FileManager.default.contents(atPath: secondArchive.string))
        #expect(Array(bytes) == (await collector.bytes))
        #expect(SHA256Digest.of(Array(bytes)) == one.archiveDigest)
        #expect(bytes.count == one.archiveSize)
        let chunkSizes = await collector.chunkSizes
        #expect(chunkSizes.count > 10 && chunkSizes.dropLast().allSatisfy { $0 == 4096 }, "chunks are chunkSize long")
        #expect(
            !(try FileManager.default.contentsOfDirectory(atPath: first.path)).contains { $0.contains(".partial-") },
            "the temporary file was renamed"
        )

        // A different byte in one file gives a different layer, and so a different image.
        try Data([1, 2, 3]).write(to: second.appendingPathComponent("settings.json"))
        let changed = try await late.write(to: secondArchive)
        #expect(changed.layer.digest != one.layer.digest)
        #expect(changed.manifest.digest != one.manifest.digest)
    }

    @Test func theArchiveIsAnOCILayoutWhoseBlobsMatchTheirDigests() async throws {
        let directory = try makeScratchDirectory("layout")
        defer { try? FileManager.default.removeItem(at: directory) }
        let writer = try OCIImageWriter(Self.description(try Self.tree(in: directory, mtime: 5)))
        let archive = directory.appendingPathComponent("image.tar")
        let digests = try await writer.write(to: FilePath(archive.path))
        let listing = try await runTool("/usr/bin/tar", ["-tf", archive.path], installedBy: "tar")
        let blobNames = [digests.configuration, digests.layer, digests.manifest].map { "blobs/sha256/" + $0.digest.hex }
        #expect(
            listing.stdout.split(separator: "\n").map(String.init)
                == ["blobs/", "blobs/sha256/"] + blobNames.sorted() + ["index.json", "oci-layout"]
        )
        let layout = directory.appendingPathComponent("layout")
        try FileManager.default.createDirectory(at: layout, withIntermediateDirectories: false)
        let extraction = try await runTool(
            "/usr/bin/tar",
            ["-xf", archive.path, "-C", layout.path],
            installedBy: "tar"
        )
        #expect(extraction.status == 0, "\(extraction)")
        func read(_ path: String) throws -> [UInt8] {
            Array(try #require(FileManager.default.contents(atPath: layout.appendingPathComponent(path).path)))
        }
        #expect(String(decoding: try read("oci-layout"), as: UTF8.self) == #"{"imageLayoutVersion":"1.0.0"}"#)
        for descriptor in [digests.configuration, digests.layer, digests.manifest] {
            let blob = try read("blobs/sha256/" + descriptor.digest.hex)
            #expect(SHA256Digest.of(blob) == descriptor.digest)
            #expect(blob.count == descriptor.size)
        }
        let index = try JSONSerialization.jsonObject(with: Data(try read("index.json"))) as! [String: Any]
        let entry = try #require((index["manifests"] as? [[String: Any]])?.first)
        #expect(entry["digest"] as? String == digests.manifest.digest.description)
        #expect(entry["size"] as? Int == digests.manifest.size)
        let annotations = entry["annotations"] as? [String: String]
        #expect(annotations?["io.containerd.image.name"] == "lurus.local/gateway:r1")
        #expect(annotations?["org.opencontainers.image.ref.name"] == "r1")
        let configuration =
            try JSONSerialization.jsonObject(
                with: Data(try read("blobs/sha256/" + digests.configuration.digest.hex))
            ) as! [String: Any]
        let rootfs = configuration["rootfs"] as? [String: Any]
        #expect(rootfs?["diff_ids"] as? [String] == [digests.layer.digest.description])
        #expect(configuration["created"] as? String == "1970-01-01T00:00:00Z")
    }

    @Test func aFileThatChangesBetweenTheTwoReadsIsNamed() async throws {
        let directory = try makeScratchDirectory("changed")
        defer { try? FileManager.default.removeItem(at: directory) }
        let writer = try OCIImageWriter(Self.description(try Self.tree(in: directory, mtime: 5)), chunkSize: 512)
        let gateway = directory.appendingPathComponent("gateway")
        let expected = OCIImageError.sourceChanged(FilePath(gateway.path), imagePath: "/usr/local/bin/gateway")

        // The sink sees its first chunk only in the second pass: that is when the file changes.
        let grows = ClosureSink { _ in
            let handle = try FileHandle(forWritingTo: gateway)
            try handle.seekToEnd()
            try handle.write(contentsOf: Data([0]))
            try handle.close()
        }
        await #expect(throws: expected) { try await writer.write(into: grows) }

        _ = try Self.tree(in: directory, mtime: 5)
        let sameSizeOtherBytes = ClosureSink { _ in
            let handle = try FileHandle(forWritingTo: gateway)
            try handle.write(contentsOf: Data([0xFF, 0xFF, 0xFF, 0xFF]))
            try handle.close()
        }
        await #expect(throws: expected) { try await writer.write(into: sameSizeOtherBytes) }

        let archive = directory.appendingPathComponent("never.tar")
        try FileManager.default.removeItem(at: gateway)
        await #expect(throws: OCIImageError.self) { try await writer.write(to: FilePath(archive.path)) }
        let left = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(!left.contains("never.tar") && !left.contains { $0.contains(".partial-") }, "\(left)")
    }

    @Test func anUnwritableDestinationIsNamed() async throws {
        let writer = try OCIImageWriter(Self.description([.bytes("/a", [1])]))
        await #expect(
            throws: OCIImageError.unwritableOutput("/nonexistent/image.tar", reason: "No such file or directory")
        ) {
            try await writer.write(to: "/nonexistent/image.tar")
        }
        #expect(throws: OCIImageError.invalidImageName("gateway", reason: "has no tag")) {
            try OCIImageWriter(ImageDescription(name: "gateway", configuration: .init(entrypoint: []), files: []))
        }
    }

    /// Writing an image of a 100 MB binary: streamed, so the process grows far less than the file.
    @Test func aHundredMegabyteBinaryIsStreamed() async throws {
        let directory = try makeScratchDirectory("large")
        defer { try? FileManager.default.removeItem(at: directory) }
        let binary = directory.appendingPathComponent("big")
        let made = try await ProcessRunner.run("/bin/sh", ["-c", "head -c 100M /dev/urandom > \"$0\"", binary.path])
        try #require(made.status == 0, "\(made)")
        let writer = try OCIImageWriter(
            Self.description([.file("/usr/local/bin/gateway", from: FilePath(binary.path), permissions: 0o755)])
        )
        let archive = FilePath(directory.appendingPathComponent("image.tar").path)
        let before = try Self.residentBytes(resettingPeak: true)
        let clock = ContinuousClock()
        let start = clock.now
        let digests = try await writer.write(to: archive)
        let elapsed = clock.now - start
        let growth = try Self.residentBytes(resettingPeak: false) - before
        print(
            "100 MB image: \(digests.archiveSize) bytes in \(elapsed), resident peak \(growth >> 20) MiB over the start"
        )
        #expect(digests.layer.size > 100 << 20)
        #expect(digests.archiveSize > digests.layer.size)
        #expect(growth < 48 << 20, "the process grew by \(growth >> 20) MiB while writing a 100 MiB file")
    }

    /// The process's resident memory now (after resetting its peak), or its peak since the last reset.
    static func residentBytes(resettingPeak: Bool) throws -> Int {
        if resettingPeak { try "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8) }
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let key = resettingPeak ? "VmRSS:" : "VmHWM:"
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix(key) })
        let kilobytes = try #require(
            Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "")
        )
        return kilobytes * 1024
    }
}
