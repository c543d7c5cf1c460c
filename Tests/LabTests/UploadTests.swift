import Foundation
import Logging
import LurusInventory
import LurusRemote
import LurusTestSupport
import Testing

extension LabIntegrationTests {
    /// Uploads to the lab hosts: verified, atomic, with mode and owner, hostile paths.
    @Suite struct UploadTests {
        let logger = Logger(label: "test")

        @Test func aFiftyMegabyteFileArrivesWholeAndReadersNeverSeeAPart() async throws {
            let inventory = try await LabIntegrationTests.labInventory()
            let heart = try #require(inventory.node(named: "heart"))
            let size = 50 << 20
            var bytes = [UInt8](repeating: 0, count: size)
            for index in stride(from: 0, to: size, by: 8) { bytes[index] = UInt8(truncatingIfNeeded: index >> 11) }
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("upload-\(UUID().uuidString)")
            try Data(bytes).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let local = try await ProcessRunner.run("/usr/bin/sha256sum", [file.path])
            let target = "/root/upload-test.bin"

            let sizes = try await OpenSSHSession.with(inventory, logger: self.logger) { session in
                // An old version is in place; a reader polling the path must see it or the new one, nothing else.
                _ = try await session.upload(.bytes(Array(repeating: 65, count: 1024)), to: target, on: heart)
                _ = try await session.run(RemoteCommand(shell: "rm -f /root/upload-done"), on: heart)
                let poll = """
                    for i in $(seq 1 4000); do stat -c %s \(target) 2>/dev/null || echo absent; \
                    [ -e /root/upload-done ] && break; sleep 0.005; done | sort -u
                    """
                async let polled = session.run(RemoteCommand(shell: poll, timeout: .seconds(120)), on: heart)
                let uploaded = try await session.upload(.file(file.path), to: target, mode: 0o600, on: heart)
                _ = try await session.run(RemoteCommand(shell: "touch /root/upload-done"), on: heart)
                #expect(uploaded.bytes == size)
                #expect(uploaded.sha256 == String(local.stdout.prefix(64)))
                let check = try await session.run(
                    RemoteCommand(shell: "sha256sum \(target); stat -c '%a %U %s' \(target)"),
                    on: heart
                )
                let lines = String(decoding: check.stdout, as: UTF8.self).split(separator: "\n")
                #expect(lines.first?.prefix(64) == local.stdout.prefix(64))
                #expect(lines.last == "600 root \(size)")
                let leftovers = try await session.run(
                    RemoteCommand(shell: "ls -a /root | grep -c lurusctl-upload || true"),
                    on: heart
                )
                #expect(String(decoding: leftovers.stdout, as: UTF8.self) == "0\n", "no temporary file is left")
                return String(decoding: try await polled.stdout, as: UTF8.self).split(separator: "\n").map(String.init)
            }
            #expect(Set(sizes).isSubset(of: ["1024", "\(size)"]), "a reader saw sizes \(sizes)")
            #expect(sizes.contains("1024"), "the poller ran while the old file was in place")
        }

        @Test func hostilePathsModeAndOwner() async throws {
            let inventory = try await LabIntegrationTests.labInventory()
            let lab = try #require(inventory.node(named: "lab"))
            let path = "/tmp/it's a \"file\" $(touch pwned) `touch pwned` *;\nx"
            let result = try await OpenSSHSession.with(inventory, logger: self.logger) { session in
                _ = try await session.upload(
                    .bytes(Array("secret\n".utf8)),
                    to: path,
                    mode: 0o640,
                    owner: "root:adm",
                    on: lab
                )
                return try await session.run(
                    RemoteCommand(ShellCommand(["stat", "-c", "%a %U %G", path]), timeout: .seconds(10)),
                    on: lab
                )
            }
            #expect(String(decoding: result.stdout, as: UTF8.self) == "640 root adm\n", "\(result)")
            let pwned = try await OpenSSHSession.with(inventory, logger: self.logger) { session in
                try await session.run(
                    RemoteCommand(shell: "test -e /root/pwned -o -e /tmp/pwned -o -e /pwned && echo yes || echo no"),
                    on: lab
                )
            }
            #expect(pwned.stdout == Array("no\n".utf8))
        }

        @Test func aFailedUploadReplacesNothing() async throws {
            let inventory = try await LabIntegrationTests.labInventory()
            let lab = try #require(inventory.node(named: "lab"))
            await #expect(throws: RemoteError.self) {
                try await OpenSSHSession.with(inventory, logger: self.logger) { session in
                    try await session.upload(.bytes([1, 2, 3]), to: "/nonexistent/dir/file", on: lab)
                }
            }
        }
    }
}
