import LLMWire

/// The catalog at one version as the gateway reads it (`CatalogDocument`): enabled providers with
/// their enabled models, a top-level `version` the gateway ignores. Pure.
public enum CatalogRenderer {
    /// The JSON body: providers by priority (highest first) then name, models by name; keys sorted.
    public static func render(_ contents: CatalogContents) -> CatalogSnapshot {
        var modelsByProvider: [String: [ModelRecord]] = [:]
        for model in contents.models where model.input.enabled {
            modelsByProvider[model.input.provider, default: []].append(model)
        }
        let providers = contents.providers.filter(\.input.enabled).sorted {
            ($0.input.priority, $1.input.name) > ($1.input.priority, $0.input.name)
        }
        let entries: [JSONValue] = providers.map { provider in
            let input = provider.input
            var members: [String: JSONValue] = [
                "name": .string(input.name),
                "protocol": .string(input.protocol),
                "base_url": .string(input.baseURL),
                "priority": .integer(input.priority),
                "weight": .number(input.weight),
                "models": .array(
                    (modelsByProvider[input.name] ?? []).sorted { $0.input.name < $1.input.name }.map { model in
                        .object([
                            "name": .string(model.input.name),
                            "upstream": .string(model.input.upstream),
                            "aliases": .array(model.input.aliases.map(JSONValue.string)),
                            "price": model.input.price.json,
                        ])
                    }
                ),
            ]
            switch input.key {
            case .file(let path): members["api_key_file"] = .string(path)
            case .environment(let name): members["api_key_env"] = .string(name)
            }
            return .object(members)
        }
        let body = JSONValue.object(["version": .integer(contents.version), "providers": .array(entries)])
        return CatalogSnapshot(version: contents.version, body: body.serialized())
    }
}

/// A rendered catalog: its version and the exact bytes served.
public struct CatalogSnapshot: Sendable, Equatable {
    public var version: Int
    public var body: [UInt8]

    public init(version: Int, body: [UInt8]) {
        self.version = version
        self.body = body
    }

    /// The entity tag: the version, quoted.
    public var etag: String { "\"\(self.version)\"" }

    /// Whether an `If-None-Match` value names this version (a list, weak tags and `*` included).
    public func isMatched(byIfNoneMatch header: String?) -> Bool {
        guard let header else { return false }
        return header.split(separator: ",").contains { part in
            var tag = part.trimmingCharacters(in: .whitespaces)
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag.removeFirst(2) }
            return tag == self.etag
        }
    }

    /// The form kept in Redis: the version, a newline, the body.
    public var cacheValue: [UInt8] { Array("\(self.version)\n".utf8) + self.body }

    /// Reads the Redis form back; nil when it is not one.
    public init?(cacheValue: [UInt8]) {
        guard let newline = cacheValue.firstIndex(of: UInt8(ascii: "\n")),
            let version = Int(String(decoding: cacheValue[..<newline], as: UTF8.self))
        else { return nil }
        self.init(version: version, body: Array(cacheValue[(newline + 1)...]))
    }
}
