import Foundation
import LLMWire

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

    /// The JSON payload: snake_case keys, absent optionals left out. Built as a `JSONValue`
    /// rather than with JSONEncoder, which cost more than a tenth of a request's CPU time.
    public func encoded() -> [UInt8] {
        var object: [String: JSONValue] = [
            "request_id": .string(self.requestId), "key_id": .string(self.keyId), "platform": .string(self.platform),
            "model": .string(self.model), "status": .integer(self.status), "outcome": .string(self.outcome),
            "stream": .bool(self.stream), "attempts": .integer(self.attempts), "latency_ms": .number(self.latencyMs),
            "input_tokens": .integer(self.inputTokens), "output_tokens": .integer(self.outputTokens),
            "cache_read_tokens": .integer(self.cacheReadTokens), "cache_write_tokens": .integer(self.cacheWriteTokens),
            "cost_usd": .number(self.costUsd), "started_at": .string(self.startedAt),
        ]
        if let provider = self.provider { object["provider"] = .string(provider) }
        if let upstreamModel = self.upstreamModel { object["upstream_model"] = .string(upstreamModel) }
        if let error = self.error { object["error"] = .string(error) }
        if let ttftMs = self.ttftMs { object["ttft_ms"] = .number(ttftMs) }
        return JSONValue.object(object).serialized()
    }
}
