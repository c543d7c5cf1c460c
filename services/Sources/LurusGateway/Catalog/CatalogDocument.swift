import Foundation
import LLMWire

/// The provider catalog as JSON, from the provider service (`GET /v1/catalog`) or a local file.
///
/// ```json
/// {"providers": [{"name": "alpha", "protocol": "openai", "base_url": "https://api.example/v1",
///   "api_key_file": "/etc/lurus/keys/alpha", "priority": 10, "weight": 1,
///   "models": [{"name": "gpt-4o-mini", "upstream": "gpt-4o-mini-2024-07-18", "aliases": ["mini"],
///     "price": {"input": 0.15, "output": 0.6, "cache_read": 0.075, "cache_write": 0}}]}]}
/// ```
/// Prices are USD per million tokens. `api_key_env` names an environment variable instead of a file.
struct CatalogDocument: Decodable, Sendable {
    var providers: [ProviderEntry]

    struct ProviderEntry: Decodable, Sendable {
        var name: String
        var `protocol`: APIProtocol
        var baseUrl: String
        var apiKeyFile: String?
        var apiKeyEnv: String?
        var priority: Int?
        var weight: Double?
        var models: [ModelEntry]
    }

    struct ModelEntry: Decodable, Sendable {
        var name: String
        var upstream: String?
        var aliases: [String]?
        var price: ModelPrice?
    }

    /// Decodes `data`; errors name the source, the key path and what is wrong.
    static func decode(_ data: Data, source: String) throws(CatalogError) -> CatalogDocument {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(CatalogDocument.self, from: data)
        } catch let error as DecodingError {
            throw CatalogError(source: source, problem: Self.describe(error))
        } catch {
            throw CatalogError(source: source, problem: "\(error)")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            var text = ""
            for key in codingPath {
                if let index = key.intValue {
                    text += "[\(index)]"
                } else {
                    let snake = key.stringValue.reduce(into: "") { result, character in
                        if character.isUppercase {
                            result += "_" + character.lowercased()
                        } else {
                            result.append(character)
                        }
                    }
                    text += text.isEmpty ? snake : "." + snake
                }
            }
            return text.isEmpty ? "(top level)" : text
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])): missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        case .dataCorrupted(let context):
            if context.codingPath.last?.stringValue == "protocol" {
                let names = APIProtocol.allCases.map(\.rawValue).joined(separator: ", ")
                return "\(path(context.codingPath)): not one of \(names)"
            }
            let underlying = (context.underlyingError as NSError?)?.userInfo["NSDebugDescription"] as? String
            return "\(path(context.codingPath)): \(underlying ?? context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}

/// A model's price in USD per million tokens; absent fields cost nothing.
public struct ModelPrice: Decodable, Sendable, Equatable {
    public var input: Double?
    public var output: Double?
    public var cacheRead: Double?
    public var cacheWrite: Double?

    public init(input: Double? = nil, output: Double? = nil, cacheRead: Double? = nil, cacheWrite: Double? = nil) {
        self.input = input
        self.output = output
        self.cacheRead = cacheRead
        self.cacheWrite = cacheWrite
    }
}

/// A catalog that cannot be used, naming where and why.
public struct CatalogError: Error, Sendable, CustomStringConvertible {
    public var source: String
    public var problem: String

    public var description: String { "provider catalog \(self.source): \(self.problem)" }
}
