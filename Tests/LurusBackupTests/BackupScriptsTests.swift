import Foundation
import LurusComponents
import LurusEngine
import LurusInventory
import LurusTestSupport
import Testing

@testable import LurusBackup

/// The node-side scripts as lurusctl builds them for the shipped inventories: every one parses in bash,
/// the K3s backup (K3s cannot run here) and the MinIO destination are golden, the restore's fence is
/// what each runtime needs.
@Suite struct BackupScriptsTests {
    static func inventory(_ name: String) throws -> Inventory {
        try InventoryLoader.load(path: Repository.path("inventory/\(name).yaml")).inventory
    }

    static func scripts() async throws -> BackupScripts {
        BackupScripts(
            templates: try await TemplateLibrary(directory: Repository.path("templates")),
            target: S3Target(
                endpoint: "http://100.64.0.14:9002",
                bucket: "lurus-backups",
                region: "us-east-1",
                accessKey: Secret(name: "minio/root-user", bytes: Array("user".utf8)),
                secretKey: Secret(name: "minio/root-password", bytes: Array("password".utf8))
            )
        )
    }

    /// Every job of every component for the production inventory, with the store's and the fence's.
    static func everyJob(_ inventory: Inventory) -> [ComponentJob] {
        let folder = "lurus/20261203T030000Z/"
        let part = { (component: BackupComponent) in
            ComponentBackup(
                component: component,
                node: ComponentJobs.node(of: component, in: inventory)!.name,
                serverVersion: "x",
                method: "m",
                objects: []
            )
        }
        var jobs = ComponentJobs.backups(BackupComponent.allCases, inventory: inventory, folder: folder)
        for component in BackupComponent.allCases {
            for drill in [false, true] {
                if let job = ComponentJobs.check(part(component), drill: drill, inventory: inventory, folder: folder) {
                    jobs.append(job)
                }
            }
            if let job = ComponentJobs.restore(part(component), inventory: inventory, folder: folder) {
                jobs.append(job)
            }
        }
        return jobs
    }

    @Test func everyScriptParsesInBash() async throws {
        let scripts = try await Self.scripts()
        let inventory = try Self.inventory("lurus")
        let jobs = Self.everyJob(inventory)
        #expect(jobs.count == 11)  // three backups, three verifies, three drills, two restores
        var base = ComponentBackup(component: .postgres, node: "heart", serverVersion: "16", method: "m", objects: [])
        base.systemIdentifier = "7716436040580483669"
        let recovery = try #require(
            ComponentJobs.pointInTime(base, target: "2026-12-07 06:30:00.000+00", inventory: inventory, folder: "f/")
        )
        var sources = try (jobs + [recovery]).map { try scripts.words($0.scripts, $0.arguments)[2] }
        sources.append(try scripts.words(["store"], [])[2])
        sources.append(try scripts.walArchive())
        sources.append(try scripts.templates.render("backup/fence.sh", [:]))
        for source in sources {
            let parsed = try await ProcessRunner.run("/bin/bash", ["-n", "-c", source])
            #expect(parsed.status == 0, "\(parsed.stderr)")
        }
    }

    @Test func theK3sBackupIsGolden() async throws {
        let inventory = try Self.inventory("lurus")
        let job = try #require(
            ComponentJobs.backups([.k3s], inventory: inventory, folder: "lurus/20261203T030000Z/").first
        )
        let scripts = try await Self.scripts()
        let words = try scripts.words(job.scripts, job.arguments)
        var text = "node \(job.node.name)\nmethod \(job.method)\n"
        text += "arguments " + words.dropFirst(4).joined(separator: " ") + "\n"
        text += "script\n" + words[2]
        // The credentials go on stdin only.
        #expect(!words.joined().contains("password"))
        #expect(String(decoding: scripts.target.curlConfig, as: UTF8.self) == "user = \"user:password\"\n")
        try Self.check(text, golden: "k3s-backup-brain.txt")
        #expect(job.node.name == "brain")
        let verify = try #require(
            ComponentJobs.check(
                ComponentBackup(component: .k3s, node: "brain", serverVersion: "k3s", method: job.method, objects: []),
                drill: false,
                inventory: inventory,
                folder: "f/"
            )
        )
        #expect(verify.scripts == ["read-spec", "k3s-check"] && verify.node.name == "brain")
        #expect(
            ComponentJobs.restore(
                ComponentBackup(component: .k3s, node: "brain", serverVersion: "", method: "", objects: []),
                inventory: inventory,
                folder: "f/"
            ) == nil
        )
    }

    @Test func minioIsReachedOnItsMeshAddressAndBucket() throws {
        let inventory = try Self.inventory("lurus")
        let place = S3Target.minio(inventory, address: "100.64.200.9")
        #expect(place.endpoint == "http://100.64.200.9:9002")
        #expect(place.bucket == "lurus-backups")
        #expect(S3Target.minio(inventory, address: "fd7a:115c::9").endpoint == "http://[fd7a:115c::9]:9002")
    }

    @Test func theRestoreStopsTheWritersAsEachRuntimeNeeds() throws {
        let lab = try Self.inventory("lab")
        let systemd = RestoreFence.steps(for: [.postgres, .clickhouse], inventory: lab)
        #expect(systemd.map(\.node.name) == ["brain", "lab"])
        #expect(systemd.map(\.arguments) == [["systemd", "stop", "provider", "billing"], ["systemd", "stop", "log"]])
        #expect(
            RestoreFence.steps(for: [.clickhouse], inventory: lab).map(\.arguments) == [["systemd", "stop", "log"]]
        )
        let undo = RestoreFence.undo(
            systemd[0],
            output: "stopped\tlurus-billing@blue.service\nstopped\tlurus-provider@green.service\n"
        )
        #expect(undo == ["systemd", "start", "lurus-billing@blue.service", "lurus-provider@green.service"])
        #expect(RestoreFence.undo(systemd[0], output: "") == nil)

        let k3s = RestoreFence.steps(for: [.postgres, .clickhouse], inventory: try Self.inventory("lurus"))
        #expect(k3s.map(\.node.name) == ["brain"])
        #expect(k3s.first?.arguments.prefix(3) == ["k3s", "stop", "lurus"])
        #expect(Set(k3s.first?.arguments.dropFirst(3) ?? []) == ["provider", "billing", "log"])
        #expect(RestoreFence.undo(k3s[0], output: "scaled\tbilling\t2\n") == ["k3s", "start", "lurus", "billing=2"])
    }

    /// A backup seals with the recipients' public keys and a check unseals with the identity, both given on
    /// the script's stdin after the credentials, through the real `s3.sh` and the real age.
    @Test func objectsSealedToTheRecipientsOpenOnlyWithTheIdentity() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lurus-seal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let keygen = try await ProcessRunner.run("/bin/sh", ["-c", "age-keygen -o \(folder.path)/key 2>&1"])
        try #require(keygen.status == 0, "age-keygen (apt package age, which scripts/setup installs): \(keygen)")
        let keyFile = try [UInt8](Data(contentsOf: folder.appendingPathComponent("key")))
        let recipient = try #require(
            String(decoding: keyFile, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix("# public key: ") }
        ).dropFirst("# public key: ".count)
        let identity = BackupScripts.Sealing.identity(Secret(name: "backup/identity", bytes: keyFile))
        // Only the key line of the file (age-keygen writes comments around it) goes to the node.
        #expect(identity.line.starts(with: Array("age-identity AGE-SECRET-KEY-1".utf8)))
        #expect(identity.line.filter { $0 == UInt8(ascii: "\n") }.count == 1)
        #expect(BackupScripts.Sealing.none.line == Array("age-none\n".utf8))

        let scripts = try await Self.scripts()
        let prelude = try scripts.words([], [])
        let run = { (sealing: BackupScripts.Sealing, body: String, input: [UInt8]) in
            try await ProcessRunner.run(
                "/bin/bash",
                ["-c", prelude[2] + "\n" + body] + prelude.dropFirst(3),
                input: scripts.target.curlConfig + sealing.line + input
            )
        }
        let sealed = folder.appendingPathComponent("sealed").path
        let seal = try await run(.recipients([String(recipient)]), "seal >\(sealed)", Array("every byte\n".utf8))
        try #require(seal.status == 0, "\(seal)")
        let stored = try Data(contentsOf: URL(fileURLWithPath: sealed))
        #expect(stored.starts(with: Array("age-encryption.org/v1".utf8)))
        #expect(!String(decoding: stored, as: UTF8.self).contains("every byte"))

        let opened = try await run(identity, "unseal <\(sealed); echo \"$work\" >&2; ls \"$work\" >&2", [])
        #expect(opened.status == 0 && opened.stdout == "every byte\n", "\(opened)")
        #expect(opened.stderr.contains("age.key"), "the identity is a file in the run's private folder")
        let work = try #require(opened.stderr.split(separator: "\n").first.map(String.init))
        #expect(work.hasPrefix("/var/tmp/lurus-backup.") && !FileManager.default.fileExists(atPath: work))
        let without = try await run(.none, "unseal <\(sealed) | head -c 21", [])
        #expect(without.stdout == "age-encryption.org/v1", "without an identity the object is passed on as stored")
    }

    static func check(_ actual: String, golden name: String) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name)")
        if ProcessInfo.processInfo.environment["LURUS_UPDATE_GOLDEN"] == "1" {
            try actual.write(to: url, atomically: true, encoding: .utf8)
        }
        #expect(actual == (try String(contentsOf: url, encoding: .utf8)), "differs from Golden/\(name)")
    }
}
