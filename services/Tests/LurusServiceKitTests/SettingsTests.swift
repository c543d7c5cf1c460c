import Foundation
import Testing

@testable import LurusServiceKit

/// Settings: the environment first, then the YAML file; bad values are errors naming the key.
@Suite("Settings")
struct SettingsTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("settings-\(UUID().uuidString)")

    /// Writes `yaml` to a fresh file and returns its path.
    func file(_ yaml: String) throws -> String {
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
        let url = self.directory.appendingPathComponent("service.yaml")
        try Data(yaml.utf8).write(to: url)
        return url.path
    }

    @Test("the environment wins over the file; the file fills in what the environment lacks")
    func environmentOverFile() async throws {
        let path = try self.file(
            """
            http:
              port: 18200
            billing:
              skipCheck: false
              timeoutMs: 250
            """
        )
        let settings = try await Settings.load(
            filePath: path,
            environment: ["BILLING_SKIP_CHECK": "true", "HTTP_HOST": "127.0.0.1"]
        )
        #expect(try settings.bool("billing.skipCheck", default: false) == true)
        #expect(try settings.int("billing.timeoutMs", default: 300, range: 10...10000) == 250)
        #expect(try settings.int("http.port", default: 18100, range: 1...65535) == 18200)
        #expect(settings.string("http.host") == "127.0.0.1")
        #expect(settings.string("absent.key") == nil)
        #expect(try settings.int("absent.key", default: 7, range: 0...10) == 7)
    }

    @Test("without a file, only the environment counts; an empty value is absent")
    func environmentOnly() async throws {
        let settings = try await Settings.load(filePath: nil, environment: ["LOG_LEVEL": "debug", "NATS_URL": ""])
        #expect(settings.string("log.level") == "debug")
        #expect(settings.string("nats.url") == nil)
        #expect(settings.filePath == nil)
    }

    @Test("a missing file is a start-up error naming it")
    func missingFile() async {
        let path = self.directory.appendingPathComponent("nowhere.yaml").path
        await #expect {
            _ = try await Settings.load(filePath: path, environment: [:])
        } throws: { error in
            "\(error)" == "configuration file \(path) does not exist; create it or point the service at another file"
        }
    }

    @Test("a file that is not YAML is a start-up error naming it")
    func unreadableFile() async throws {
        let path = try self.file("http: [unclosed\n")
        await #expect {
            _ = try await Settings.load(filePath: path, environment: [:])
        } throws: { error in
            "\(error)".hasPrefix("configuration file \(path) cannot be read: ")
        }
    }

    @Test(
        "a value that is present but wrong names the key, both spellings and what it must be",
        arguments: [
            ("http.port", "HTTP_PORT", "eighty", "it must be an integer from 1 to 65535"),
            ("http.port", "HTTP_PORT", "70000", "it must be an integer from 1 to 65535"),
            ("billing.skipCheck", "BILLING_SKIP_CHECK", "maybe", "it must be true or false"),
            ("provider.service.url", "PROVIDER_SERVICE_URL", "ftp://x", "it must be an http:// or https:// URL"),
            ("cost.ratio", "COST_RATIO", "1.5", "it must be a number from 0.0 to 1.0"),
        ]
    )
    func badValues(key: String, variable: String, value: String, fix: String) async throws {
        let path = try self.file("unrelated: 1\n")
        let settings = try await Settings.load(filePath: path, environment: [variable: value])
        let expected = "setting \(key) is \"\(value)\" (from environment \(variable) or \(path)); \(fix)"
        #expect {
            switch key {
            case "http.port": _ = try settings.int(key, default: 1, range: 1...65535)
            case "billing.skipCheck": _ = try settings.bool(key, default: false)
            case "provider.service.url": _ = try settings.url(key)
            default: _ = try settings.double(key, default: 0, range: 0...1)
            }
        } throws: { error in
            "\(error)" == expected
        }
    }

    @Test(
        "booleans read true/false, 1/0, yes/no and on/off in any case",
        arguments: [
            ("TRUE", true), ("1", true), ("yes", true), ("On", true), ("false", false), ("0", false), ("NO", false),
            ("off", false),
        ]
    )
    func booleans(text: String, value: Bool) throws {
        #expect(try Settings(values: ["a.flag": text]).bool("a.flag", default: !value) == value)
    }

    @Test(
        "a dotted camel-case key is spelled in upper snake case in the environment",
        arguments: [
            ("billing.skipCheck", "BILLING_SKIP_CHECK"), ("http.port", "HTTP_PORT"),
            ("upstream.connectTimeoutMs", "UPSTREAM_CONNECT_TIMEOUT_MS"), ("log.level", "LOG_LEVEL"),
        ]
    )
    func environmentNames(key: String, name: String) {
        #expect(Settings.environmentName(of: key) == name)
    }
}
