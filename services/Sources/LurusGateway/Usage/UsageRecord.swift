import Foundation

/// What one request cost and how it went, published to NATS JetStream for billing and logs.
public struct UsageRecord: Codable, Sendable, Equatable {
    public var requestId: String
    public var keyId: String
    /// The client's API format: anthropic, openai, openai-responses or gemini.
    public var platform: String
    /// The provider that served (or last failed); nil when none was tried.
    public var provider: String?
    /// The catalog's model name (aliases resolved) or, when unknown, what the client asked for.
    public var model: String
    public var upstreamModel: String?
    /// The HTTP status the client got (499 when the client went away first).
    public var status: Int
    /// ok, client_error, refused, upstream_error, stream_error or client_closed.
    public var outcome: String
    public var error: String?
    public var stream: Bool
    public var attempts: Int
    public var latencyMs: Double
    /// Time to the first content sent to the client; nil without content.
    public var ttftMs: Double?
    public var inputTokens: Int
    public var outputTokens: Int
    public var cacheReadTokens: Int
    public var cacheWriteTokens: Int
    public var costUsd: Double
    /// ISO 8601, UTC, milliseconds.
    public var startedAt: String

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    /// The JSON payload.
    public func encoded() -> [UInt8] {
        (try? [UInt8](Self.encoder.encode(self))) ?? []
    }
}
