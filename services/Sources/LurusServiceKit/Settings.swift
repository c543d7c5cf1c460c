import Configuration
import Foundation
import SystemPackage

/// A service's settings: environment variables first, then an optional YAML file.
///
/// Keys are dotted and camel-cased (`billing.skipCheck`); the environment spells them in upper
/// snake case (`BILLING_SKIP_CHECK`), the YAML file as nested maps (`billing: {skipCheck: true}`).
/// Unlike swift-configuration's lenient getters, a value that is present but cannot be read as the
/// expected type is an error naming the key and both spellings, not a silent default.
public struct Settings: Sendable {
    /// The underlying reader.
    public let reader: ConfigReader
    /// The YAML file consulted after the environment, if any.
    public let filePath: String?

    /// Reads the environment and, when `filePath` is given, that YAML file (which must exist).
    ///
    /// `environment` is the process's unless given (tests give their own).
    public static func load(
        filePath: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws(StartupError) -> Settings {
        var providers: [any ConfigProvider] = [EnvironmentVariablesProvider(environmentVariables: environment)]
        if let filePath {
            guard FileManager.default.fileExists(atPath: filePath) else {
                throw StartupError(
                    "configuration file \(filePath) does not exist",
                    fix: "create it or point the service at another file"
                )
            }
            do {
                providers.append(try await FileProvider<YAMLSnapshot>(filePath: FilePath(filePath)))
            } catch {
                throw StartupError("configuration file \(filePath) cannot be read: \(error)")
            }
        }
        return Settings(reader: ConfigReader(providers: providers), filePath: filePath)
    }

    /// Settings from fixed values (dotted keys), for tests and embedded use.
    public init(values: [String: String]) {
        var entries: [AbsoluteConfigKey: ConfigValue] = [:]
        for (key, value) in values {
            entries[AbsoluteConfigKey(key.split(separator: ".").map(String.init))] = ConfigValue(
                .string(value),
                isSecret: false
            )
        }
        self.reader = ConfigReader(provider: InMemoryProvider(values: entries))
        self.filePath = nil
    }

    init(reader: ConfigReader, filePath: String?) {
        self.reader = reader
        self.filePath = filePath
    }

    /// A string setting, or nil when absent or empty.
    public func string(_ key: String) -> String? {
        guard let value = self.reader.string(forKey: ConfigKey(key)), !value.isEmpty else { return nil }
        return value
    }

    /// An integer setting within `range`, or `defaultValue` when absent.
    public func int(
        _ key: String,
        default defaultValue: Int,
        range: ClosedRange<Int>
    ) throws(StartupError)
        -> Int
    {
        guard let text = self.string(key) else { return defaultValue }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)), range.contains(value) else {
            throw self.invalid(key, text, "an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// A number setting within `range`, or `defaultValue` when absent.
    public func double(
        _ key: String,
        default defaultValue: Double,
        range: ClosedRange<Double>
    )
        throws(StartupError) -> Double
    {
        guard let text = self.string(key) else { return defaultValue }
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), range.contains(value)
        else {
            throw self.invalid(key, text, "a number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// A boolean setting (`true`/`false`, `1`/`0`, `yes`/`no`), or `defaultValue` when absent.
    public func bool(_ key: String, default defaultValue: Bool) throws(StartupError) -> Bool {
        guard let text = self.string(key) else { return defaultValue }
        switch text.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw self.invalid(key, text, "true or false")
        }
    }

    /// An http(s) URL setting, or nil when absent.
    public func url(_ key: String) throws(StartupError) -> URL? {
        guard let text = self.string(key) else { return nil }
        guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme),
            url.host != nil
        else {
            throw self.invalid(key, text, "an http:// or https:// URL")
        }
        return url
    }

    /// How a key is spelled in the environment: `billing.skipCheck` → `BILLING_SKIP_CHECK`.
    public static func environmentName(of key: String) -> String {
        var name = ""
        for character in key {
            if character == "." {
                name.append("_")
            } else if character.isUppercase {
                name.append("_")
                name.append(character)
            } else {
                name.append(character.uppercased())
            }
        }
        return name
    }

    private func invalid(_ key: String, _ text: String, _ expected: String) -> StartupError {
        let source =
            self.filePath.map { "environment \(Self.environmentName(of: key)) or \($0)" }
            ?? "environment \(Self.environmentName(of: key))"
        return StartupError(
            "setting \(key) is \"\(text)\" (from \(source))",
            fix: "it must be \(expected)"
        )
    }
}

extension Settings {
    /// The contents of the file named by setting `key` (a secret: a password, a token), trimmed; nil when
    /// the setting is absent. A file that cannot be read or is empty is an error naming the setting.
    /// Secrets come from files (mode 0600 on the node), never from a setting's value itself.
    public func secretFile(_ key: String) throws(StartupError) -> String? {
        guard let path = self.string(key) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StartupError(
                "setting \(key) names \(path), which cannot be read",
                fix: "check the file exists and is readable by the service (\(Self.environmentName(of: key)))"
            )
        }
        let secret = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !secret.isEmpty else {
            throw StartupError("setting \(key) names \(path), which is empty", fix: "write the secret into it")
        }
        return secret
    }
}
