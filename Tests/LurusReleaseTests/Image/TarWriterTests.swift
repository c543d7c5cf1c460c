import Foundation
import LurusTestSupport
import SystemPackage
import Testing

@testable import LurusRelease

/// The tar writer read back by GNU tar: what `tar -tvf` lists and what extracting gives.
@Suite struct TarWriterTests {
    static let longDirectory = "deep/" + String(repeating: "directory-with-a-long-name/", count: 4)
    static let hostileNames = [
        "with space and \"double\" and 'single' quotes.txt",
        "données/日本語 ファイル.txt",
        Self.longDirectory + "and-a-file-past-the-ustar-limit-é.bin",
    ]

    /// A member list with every kind, hostile names, a long link target and a local file source.
    func members(localFile: FilePath) -> [TarMember] {
        var members: [TarMember] = [
            TarMember("app", permissions: 0o755, content: .directory),
            TarMember("app/run", permissions: 0o755, content: .bytes(Array("#!/bin/sh\necho hi\n".utf8))),
            TarMember("app/empty", permissions: 0o600, content: .bytes([])),
            TarMember("app/local.bin", permissions: 0o640, content: .file(localFile)),
            TarMember("app/link", permissions: 0o777, content: .symbolicLink("run")),
            TarMember("app/far-link", permissions: 0o777, content: .symbolicLink("/" + Self.longDirectory + "target")),
            TarMember("app/sticky", permissions: 0o1777, content: .directory),
        ]
        var directories = ["deep", "données"]
        var path = "deep"
        for component in Self.longDirectory.split(separator: "/").dropFirst() {
            path += "/" + component
            directories.append(path)
        }
        members += directories.map { TarMember($0, permissions: 0o755, content: .directory) }
        for (index, name) in Self.hostileNames.enumerated() {
            members.append(TarMember(name, permissions: 0o644, content: .bytes(Array("file \(index)\n".utf8))))
        }
        return members.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
    }

    func archive(_ members: [TarMember], chunkSize: Int = 1 << 20) async throws -> [UInt8] {
        let collector = ChunkCollector()
        var writer = TarWriter(into: collector.sink, chunkSize: chunkSize)
        for member in members { try await writer.append(member, imagePath: "/" + member.path) }
        let written = try await writer.finish()
        let bytes = await collector.bytes
        #expect(written.size == bytes.count)
        #expect(written.digest == .of(bytes))
        #expect(bytes.count % 512 == 0)
        return bytes
    }

    func localFile(in directory: URL) throws -> (FilePath, [UInt8]) {
        // Not a multiple of 512, and larger than the small chunk size used below.
        let bytes = (0..<5_000).map { UInt8(truncatingIfNeeded: $0 * 7 + $0 / 256) }
        let url = directory.appendingPathComponent("source.bin")
        try Data(bytes).write(to: url)
        return (FilePath(url.path), bytes)
    }

    @Test func gnuTarListsExactlyTheMembersWithTheirModes() async throws {
        let directory = try makeScratchDirectory("tar-list")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (source, sourceBytes) = try self.localFile(in: directory)
        let members = self.members(localFile: source)
        let archive = directory.appendingPathComponent("archive.tar")
        try Data(try await self.archive(members)).write(to: archive)

        let listing = try await runTool(
            "/usr/bin/tar",
            ["--quoting-style=literal", "--full-time", "-tvf", archive.path],
            environment: ["TZ": "UTC", "LC_ALL": "C.UTF-8"],
            installedBy: "tar"
        )
        #expect(listing.status == 0, "\(listing)")
        let lines = listing.stdout.split(separator: "\n").map(String.init)
        let expected = members.map { member -> String in
            let typeCharacter: String
            var size = 0
            var name = member.path
            switch member.content {
            case .directory:
                typeCharacter = "d"
                name += "/"
            case .symbolicLink(let target):
                typeCharacter = "l"
                name += " -> " + target
            case .bytes(let bytes):
                typeCharacter = "-"
                size = bytes.count
            case .file:
                typeCharacter = "-"
                size = sourceBytes.count
            }
            return
                "\(typeCharacter)\(Self.symbolic(member.permissions.rawValue)) 0/0 \(size) 1970-01-01 00:00:01 \(name)"
        }
        // GNU tar pads the size column to a varying width: compare with runs of spaces made single.
        let squeezed = lines.map { line in
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            return fields.joined(separator: " ")
        }
        #expect(squeezed == expected)
        #expect(listing.stderr.isEmpty, "tar warned: \(listing.stderr)")
    }

    @Test func extractingGivesByteIdenticalFilesAndTheirModes() async throws {
        let directory = try makeScratchDirectory("tar-extract")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (source, sourceBytes) = try self.localFile(in: directory)
        let members = self.members(localFile: source)
        let archive = directory.appendingPathComponent("archive.tar")
        // Chunks of 512 bytes: every file crosses chunk ends, and the result must not depend on them.
        let bytes = try await self.archive(members, chunkSize: 512)
        #expect(bytes == (try await self.archive(members)))
        try Data(bytes).write(to: archive)
        let root = directory.appendingPathComponent("root")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: false)

        let extraction = try await runTool(
            "/usr/bin/tar",
            ["-xpf", archive.path, "-C", root.path],
            environment: ["LC_ALL": "C.UTF-8"],
            installedBy: "tar"
        )
        #expect(extraction.status == 0, "\(extraction)")
        for member in members {
            let path = root.appendingPathComponent(member.path).path
            switch member.content {
            case .bytes(let expected):
                #expect(FileManager.default.contents(atPath: path).map(Array.init) == expected, "\(member.path)")
                #expect(try permissions(at: path) == Int(member.permissions.rawValue), "\(member.path)")
            case .file:
                #expect(FileManager.default.contents(atPath: path).map(Array.init) == sourceBytes)
                #expect(try permissions(at: path) == Int(member.permissions.rawValue))
            case .directory:
                var isDirectory: ObjCBool = false
                #expect(
                    FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
                )
                #expect(try permissions(at: path) == Int(member.permissions.rawValue), "\(member.path)")
            case .symbolicLink(let target):
                #expect(try FileManager.default.destinationOfSymbolicLink(atPath: path) == target)
            }
        }
    }

    @Test func aMissingOrOddSourceIsNamed() async throws {
        var writer = TarWriter(into: DiscardSink())
        let missing = TarMember("bin/gateway", permissions: 0o755, content: .file("/nonexistent/gateway"))
        await #expect {
            try await writer.append(missing, imagePath: "/bin/gateway")
        } throws: { error in
            guard case .unreadableSource(let path, let imagePath, let reason) = error as? OCIImageError else {
                return false
            }
            return path == "/nonexistent/gateway" && imagePath == "/bin/gateway" && reason.contains("No such file")
        }
        let folder = TarMember("bin/gateway", permissions: 0o755, content: .file("/tmp"))
        await #expect(
            throws: OCIImageError.unreadableSource("/tmp", imagePath: "/bin/gateway", reason: "not a regular file")
        ) {
            try await writer.append(folder, imagePath: "/bin/gateway")
        }
    }

    /// `rwxr-xr-x` for 0o755, with `s`/`t` for the set-id and sticky bits as `ls` and tar show them.
    static func symbolic(_ mode: UInt32) -> String {
        let letters = Array("rwxrwxrwx")
        var text = (0..<9).map { mode & (0o400 >> UInt32($0)) != 0 ? letters[$0] : "-" }
        if mode & 0o1000 != 0 { text[8] = text[8] == "x" ? "t" : "T" }
        if mode & 0o2000 != 0 { text[5] = text[5] == "x" ? "s" : "S" }
        if mode & 0o4000 != 0 { text[2] = text[2] == "x" ? "s" : "S" }
        return String(text)
    }
}
