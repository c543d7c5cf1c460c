import Foundation
import LLMWire
import LurusServiceKit

/// A provider the gateway may forward to, with its API key loaded.
public struct Provider: Sendable, Equatable {
    public var name: String
    public var `protocol`: APIProtocol
    public var baseURL: String
    public var apiKey: ProviderKey
    public var priority: Int
    public var weight: Double
}

/// A provider API key. Its description never shows the key.
public struct ProviderKey: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String
    public var description: String { "<provider key>" }
    public var debugDescription: String { "<provider key>" }
}

/// One way to serve a model: a provider, the name it knows the model by, and the price.
public struct Candidate: Sendable, Equatable {
    public var provider: Provider
    public var upstreamModel: String
    /// The catalog's model name (aliases resolved), for metrics and usage records.
    public var model: String
    public var price: ModelPrice
}

/// The resolved catalog: providers with keys, and every model name or alias mapped to its candidates
/// in order (higher priority first; equal priorities are shuffled by weight per request).
public struct ProviderCatalog: Sendable {
    public let providers: [Provider]
    let routes: [String: [Candidate]]
    /// The catalog's own model names (not aliases), sorted, for `GET /v1/models`.
    public let modelNames: [String]
    /// Where it came from: "provider service" or the file's path.
    public let source: String
    /// Providers left out because this host cannot read their key, with why (`/health` shows them).
    public var skipped: [String] = []
    /// The provider service's ETag for this catalog: sent back as If-None-Match, so an unchanged catalog
    /// is answered 304 with no body.
    public var etag: String?

    /// Candidates for a requested model name or alias, empty when none serves it.
    public func candidates(for model: String) -> [Candidate] {
        self.routes[model] ?? []
    }

    /// Builds the catalog from JSON, reading each provider's key from its file or variable.
    static func load(
        _ data: Data,
        source: String,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        skipUnreadableKeys: Bool = false
    ) throws(CatalogError) -> ProviderCatalog {
        let document = try CatalogDocument.decode(data, source: source)
        var providers: [Provider] = []
        var routes: [String: [Candidate]] = [:]
        var names = Set<String>()
        var seenProviders = Set<String>()
        var skipped: [String] = []
        for (index, entry) in document.providers.enumerated() {
            let at = "providers[\(index)]"
            func fail(_ problem: String) -> CatalogError { CatalogError(source: source, problem: "\(at).\(problem)") }
            guard !entry.name.isEmpty, seenProviders.insert(entry.name).inserted else {
                throw fail("name: \"\(entry.name)\" is empty or used twice")
            }
            guard let url = URL(string: entry.baseUrl), ["http", "https"].contains(url.scheme ?? ""), url.host != nil
            else { throw fail("base_url: \"\(entry.baseUrl)\" is not an http(s) URL") }
            let weight = entry.weight ?? 1
            guard weight > 0 else { throw fail("weight: must be above 0") }
            let key: ProviderKey
            do {
                key = try Self.loadKey(entry, environment: environment, fail: fail)
            } catch  where skipUnreadableKeys {
                // One provider whose key this host lacks must not freeze the whole catalog: the others
                // are served and the gap is reported.
                skipped.append("\(entry.name): \(error.problem)")
                continue
            }
            let baseURL = entry.baseUrl.withoutTrailingSlash
            let provider = Provider(
                name: entry.name,
                protocol: entry.protocol,
                baseURL: baseURL,
                apiKey: key,
                priority: entry.priority ?? 0,
                weight: weight
            )
            providers.append(provider)
            for (modelIndex, model) in entry.models.enumerated() {
                guard !model.name.isEmpty else { throw fail("models[\(modelIndex)].name: empty") }
                names.insert(model.name)
                let candidate = Candidate(
                    provider: provider,
                    upstreamModel: model.upstream ?? model.name,
                    model: model.name,
                    price: model.price ?? .init()
                )
                for name in [model.name] + (model.aliases ?? []) {
                    routes[name, default: []].append(candidate)
                }
            }
        }
        for name in routes.keys {
            routes[name]?.sort { $0.provider.priority > $1.provider.priority }
        }
        if !skipped.isEmpty && providers.isEmpty {
            throw CatalogError(
                source: source,
                problem: "no provider's key can be read: " + skipped.joined(separator: "; ")
            )
        }
        var catalog = ProviderCatalog(providers: providers, routes: routes, modelNames: names.sorted(), source: source)
        catalog.skipped = skipped
        return catalog
    }

    private static func loadKey(
        _ entry: CatalogDocument.ProviderEntry,
        environment: [String: String],
        fail: (String) -> CatalogError
    ) throws(CatalogError) -> ProviderKey {
        if let file = entry.apiKeyFile {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw fail("api_key_file: \(file) cannot be read")
            }
            let key = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !key.isEmpty else { throw fail("api_key_file: \(file) is empty") }
            return ProviderKey(value: key)
        }
        if let variable = entry.apiKeyEnv {
            guard let key = environment[variable], !key.isEmpty else {
                throw fail("api_key_env: \(variable) is not set in the gateway's environment")
            }
            return ProviderKey(value: key)
        }
        throw fail("api_key_file: missing (or api_key_env)")
    }
}

extension ModelPrice {
    /// USD for `usage`.
    func cost(of usage: TokenUsage) -> Double {
        let perToken =
            Double(usage.inputTokens) * (self.input ?? 0) + Double(usage.outputTokens) * (self.output ?? 0)
            + Double(usage.cacheReadTokens) * (self.cacheRead ?? 0)
            + Double(usage.cacheWriteTokens) * (self.cacheWrite ?? 0)
        return perToken / 1_000_000
    }
}
