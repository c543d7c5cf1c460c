import Foundation
import LurusEngine
import LurusInventory
import Testing

/// Secrets from references and generated ones, against a temporary inventory folder.
@Suite struct SecretStoreTests {
    /// A folder with `inventory.yaml` naming a few references; removed by `remove()`.
    struct Scratch {
        let directory: String
        let inventory: Inventory

        init(_ extra: String = "") throws {
            self.directory =
                FileManager.default.temporaryDirectory
                .appendingPathComponent("lurus-secrets-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: self.directory, withIntermediateDirectories: true)
            let text = """
                cluster: test
                runtime: systemd
                mesh: none
                nodes:
                  one:
                    address: 10.0.0.1
                secrets:
                  from-env: env:LURUS_TEST_SECRET
                  from-file: file:keys/token
                  from-cmd: cmd:printf 'value from a command\\n'
                  failing: cmd:echo leaked-output-7731; exit 3
                \(extra)
                """
            let path = "\(self.directory)/inventory.yaml"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            self.inventory = try InventoryLoader.load(path: path).inventory
        }

        func store(_ environment: [String: String] = [:]) -> SecretStore {
            SecretStore(inventory: self.inventory, environment: environment)
        }

        func mode(_ path: String) throws -> Int {
            try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        }

        func remove() { try? FileManager.default.removeItem(atPath: self.directory) }
    }

    @Test func generatedSecretIsStablePrivateAndURLSafe() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let first = try await scratch.store().value(of: "postgres-billing")
        #expect(first.text.count == 43)
        #expect(
            first.text.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-"
                    || $0 == "_"
            }
        )
        let again = try await scratch.store().value(of: "postgres-billing")
        #expect(again == first, "a second store reads the stored value")
        let other = try await scratch.store().value(of: "k3s-token")
        #expect(other.bytes != first.bytes)
        let directory = "\(scratch.directory)/.lurus/test/secrets"
        #expect(try scratch.mode("\(directory)/postgres-billing") == 0o600)
        #expect(try scratch.mode(directory) == 0o700)
        #expect(try scratch.mode("\(scratch.directory)/.lurus/test") == 0o700)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == [
                "k3s-token", "postgres-billing",
            ]
        )
    }

    @Test func namesWithPartsAreFoldersOfTheirOwn() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let secret = try await scratch.store().value(of: "postgres/billing")
        #expect(secret.text.count == 43)
        #expect(try scratch.mode("\(scratch.directory)/.lurus/test/secrets/postgres") == 0o700)
        #expect(try scratch.mode("\(scratch.directory)/.lurus/test/secrets/postgres/billing") == 0o600)
    }

    @Test func concurrentCallersGetOneValue() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let stores = [scratch.store(), scratch.store()]
        let values = try await withThrowingTaskGroup(of: Secret.self) { group in
            for index in 0..<40 { group.addTask { try await stores[index % 2].value(of: "race") } }
            return try await group.reduce(into: Set<Secret>()) { $0.insert($1) }
        }
        #expect(values.count == 1)
    }

    @Test func referencesResolve() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try FileManager.default.createDirectory(atPath: "\(scratch.directory)/keys", withIntermediateDirectories: true)
        try "value from a file\n".write(toFile: "\(scratch.directory)/keys/token", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o600],
            ofItemAtPath: "\(scratch.directory)/keys/token"
        )
        let store = scratch.store(["LURUS_TEST_SECRET": "value from the environment", "PATH": "/usr/bin:/bin"])
        #expect(try await store.value(of: "from-env").text == "value from the environment")
        #expect(try await store.value(of: "from-file").text == "value from a file")
        #expect(try await store.value(of: "from-cmd").text == "value from a command")
        #expect(store.warnings().isEmpty)
    }

    @Test func groupReadableFileIsWarnedAbout() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = "\(scratch.directory)/keys/token"
        try FileManager.default.createDirectory(atPath: "\(scratch.directory)/keys", withIntermediateDirectories: true)
        try "s3cr3t-file-value".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        let store = scratch.store()
        #expect(try await store.value(of: "from-file").text == "s3cr3t-file-value")
        let warnings = store.warnings()
        #expect(warnings.map(\.name) == ["from-file"])
        #expect(warnings.first?.description.contains("mode 0644") == true)
        #expect(warnings.first?.description.contains("s3cr3t") == false)
    }

    @Test func missingVariableIsNamedAndNoValueIsShown() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let error = await #expect(throws: SecretError.self) {
            try await scratch.store(["OTHER": "unrelated-value-99"]).value(of: "from-env")
        }
        #expect(error?.name == "from-env")
        #expect(error?.description.contains("LURUS_TEST_SECRET is not set") == true)
        let empty = await #expect(throws: SecretError.self) {
            try await scratch.store(["LURUS_TEST_SECRET": ""]).value(of: "from-env")
        }
        #expect(empty?.message == "environment variable LURUS_TEST_SECRET is empty")
    }

    @Test func missingFileIsNamed() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let error = await #expect(throws: SecretError.self) { try await scratch.store().value(of: "from-file") }
        #expect(error?.message == "no such file: \(scratch.directory)/keys/token")
    }

    @Test func failingCommandGivesItsStatusNotItsOutput() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let error = await #expect(throws: SecretError.self) {
            try await scratch.store(["PATH": "/usr/bin:/bin"]).value(of: "failing")
        }
        #expect(error?.description.contains("exited with status 3") == true, "\(String(describing: error))")
        #expect(error?.description.contains("leaked-output-7731") == false)
    }

    @Test func listShowsNamesAndSourcesNeverValues() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let store = scratch.store(["LURUS_TEST_SECRET": "env-value-4242"])
        let generated = try await store.value(of: "k3s-token")
        _ = try await store.value(of: "from-env")
        let listings = store.list()
        #expect(listings.map(\.name) == ["failing", "from-cmd", "from-env", "from-file", "k3s-token"])
        #expect(listings.map(\.source)[2...] == ["env:LURUS_TEST_SECRET", "file:keys/token", "generated"])
        #expect(listings[2].detail == "set")
        #expect(listings[3].detail == "missing: \(scratch.directory)/keys/token")
        #expect(listings[4].mode == "0600")
        #expect(listings[4].path == "\(scratch.directory)/.lurus/test/secrets/k3s-token")
        let encoded = String(decoding: try JSONEncoder().encode(listings), as: UTF8.self)
        #expect(!encoded.contains(generated.text) && !encoded.contains("env-value-4242"))
        #expect(!"\(listings)".contains(generated.text))
    }

    @Test(arguments: ["", "Upper", "-dash", ".hidden", "a/../b", "a//b", "/abs", "with space", "ümlaut", "a/"])
    func invalidNamesAreRefused(name: String) async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let error = await #expect(throws: SecretError.self) { try await scratch.store().value(of: name) }
        #expect(error?.message == "'\(name)' is not a secret name")
        #expect(!FileManager.default.fileExists(atPath: "\(scratch.directory)/.lurus/test/secrets"))
    }

    @Test func printingASecretShowsOnlyItsName() {
        let secret = Secret(name: "postgres-billing", bytes: Array("hunter2-hunter2".utf8))
        #expect("\(secret)" == "<secret postgres-billing>")
        #expect(String(reflecting: secret) == "<secret postgres-billing>")
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(!dumped.contains("hunter2"))
        #expect("\([secret])".contains("<secret postgres-billing>") && !"\([secret])".contains("hunter2"))
    }

    @Test func redactorReplacesLongValuesOnly() {
        let redactor = Redactor([
            Secret(name: "long", bytes: Array("abcdef-123456".utf8)),
            Secret(name: "inner", bytes: Array("abcdef".utf8)),
            Secret(name: "short", bytes: Array("abc12".utf8)),
        ])
        let text = "password=abcdef-123456 and abcdef, not abc12"
        #expect(redactor.redact(text) == "password=‹secret long› and ‹secret inner›, not abc12")
        #expect(Redactor([]).redact(text) == text)
    }
}
