import Foundation
import LLMWire

/// Where the gateway finds a provider's API key on its own host: a file or an environment variable.
/// Only the reference is stored; the key never reaches this service.
public enum KeyReference: Sendable, Equatable {
    case file(String)
    case environment(String)
}

/// A provider as an admin gives it, validated: every refusal names its field. Pure.
public struct ProviderInput: Sendable, Equatable {
    public static let protocols = ["anthropic", "openai", "openai-responses", "gemini"]
    static let fields: Set<String> = [
        "name", "protocol", "base_url", "api_key_file", "api_key_env", "priority", "weight", "enabled",
    ]

    public var name: String
    public var `protocol`: String
    public var baseURL: String
    public var key: KeyReference
    public var priority: Int
    public var weight: Double
    public var enabled: Bool

    /// Creates an input (tests; the API reads JSON with ``init(json:)``).
    public init(
        name: String,
        protocol: String,
        baseURL: String,
        key: KeyReference,
        priority: Int = 0,
        weight: Double = 1,
        enabled: Bool = true
    ) {
        self.name = name
        self.protocol = `protocol`
        self.baseURL = baseURL
        self.key = key
        self.priority = priority
        self.weight = weight
        self.enabled = enabled
    }

    /// Validates a whole provider (POST, PUT, or a PATCH merged over the current one).
    public init(json: JSONValue) throws(APIError) {
        let reader = try FieldReader(json, known: Self.fields)
        self.name = try reader.requiredString("name")
        guard Self.isValidName(self.name) else {
            throw .invalid("name", "must be 1 to 64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit")
        }
        self.protocol = try reader.requiredString("protocol")
        guard Self.protocols.contains(self.protocol) else {
            throw .invalid("protocol", "must be one of \(Self.protocols.joined(separator: ", "))")
        }
        self.baseURL = try reader.requiredString("base_url")
        guard let url = URL(string: self.baseURL), ["http", "https"].contains(url.scheme ?? ""),
            let host = url.host, !host.isEmpty, self.baseURL.count <= 2048
        else {
            throw .invalid("base_url", "must be an http:// or https:// URL")
        }
        switch (try reader.string("api_key_file"), try reader.string("api_key_env")) {
        case (let file?, nil):
            guard file.hasPrefix("/"), !file.contains("\0"), !file.split(separator: "/").contains(".."),
                file.count <= 4096, file.count > 1
            else {
                throw .invalid("api_key_file", "must be an absolute path to a file on the gateway's host")
            }
            self.key = .file(file)
        case (nil, let variable?):
            guard Self.isValidVariable(variable) else {
                throw .invalid("api_key_env", "must be an environment variable name ([A-Z_][A-Z0-9_]*)")
            }
            self.key = .environment(variable)
        case (nil, nil):
            throw .invalid("api_key_file", "one of api_key_file or api_key_env is required (a reference, not the key)")
        case (_?, _?):
            throw .invalid("api_key_env", "give api_key_file or api_key_env, not both")
        }
        self.priority = try reader.int("priority") ?? 0
        guard (-1_000_000...1_000_000).contains(self.priority) else {
            throw .invalid("priority", "must be from -1000000 to 1000000")
        }
        self.weight = try reader.double("weight") ?? 1
        guard self.weight > 0, self.weight <= 1_000_000 else {
            throw .invalid("weight", "must be above 0 (at most 1000000)")
        }
        self.enabled = try reader.bool("enabled") ?? true
    }

    /// The input's JSON, as an admin would send it (the base of a PATCH, the audit's before/after).
    public var json: JSONValue {
        var members: [String: JSONValue] = [
            "name": .string(self.name),
            "protocol": .string(self.protocol),
            "base_url": .string(self.baseURL),
            "priority": .integer(self.priority),
            "weight": .number(self.weight),
            "enabled": .bool(self.enabled),
        ]
        switch self.key {
        case .file(let path): members["api_key_file"] = .string(path)
        case .environment(let name): members["api_key_env"] = .string(name)
        }
        return .object(members)
    }

    /// A PATCH over `current`: giving one key reference replaces the other.
    public static func patched(_ current: ProviderInput, with patch: JSONValue) throws(APIError) -> ProviderInput {
        _ = try FieldReader(patch, known: Self.fields)
        var base = current.json
        if case .object(var members) = base {
            if patch["api_key_file"] != nil { members["api_key_env"] = nil }
            if patch["api_key_env"] != nil { members["api_key_file"] = nil }
            base = .object(members)
        }
        return try ProviderInput(json: base.merged(with: patch))
    }

    static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 64 else { return false }
        func allowed(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        return allowed(first)
            && name.utf8.allSatisfy {
                allowed($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-")
            }
    }

    static func isValidVariable(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 256 else { return false }
        func letter(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || byte == UInt8(ascii: "_")
        }
        return letter(first)
            && name.utf8.allSatisfy { letter($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}
