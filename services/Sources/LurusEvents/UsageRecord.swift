/// What one request cost and how it went, published to NATS JetStream for billing and logs.
///
/// The JSON on the wire has snake_case keys and leaves absent optionals out. Producers write it
/// with ``encoded()``; consumers read it with ``decode(_:)``. Its `request_id` is also the
/// message's `Nats-Msg-Id`, and the key consumers de-duplicate on.
public struct UsageRecord: Codable, Sendable, Equatable {
    /// "req_" and 32 hex digits; unique per request.
    public var requestId: String
    /// The client key's id from the gateway's keys file.
    public var keyId: String
    /// The billing user the key belongs to, when the gateway knows it (keys from the billing service).
    public var userId: String?
    /// The client's API format: anthropic, openai, openai-responses or gemini.
    public var platform: String
    /// The provider that served (or last failed); nil when none was tried.
    public var provider: String?
    /// The catalog's model name (aliases resolved) or, when unknown, what the client asked for.
    public var model: String
    /// The model name the provider was asked for; nil when none was tried.
    public var upstreamModel: String?
    /// The HTTP status the client got (499 when the client went away first).
    public var status: Int
    /// How the request ended.
    public var outcome: Outcome
    /// What went wrong, for a person; nil when nothing did.
    public var error: String?
    /// Whether the client asked for a stream.
    public var stream: Bool
    /// How many providers were tried.
    public var attempts: Int
    /// From the request's arrival to its end, in milliseconds.
    public var latencyMs: Double
    /// Time to the first content sent to the client; nil without content.
    public var ttftMs: Double?
    /// Input tokens, cached input excluded.
    public var inputTokens: Int
    public var outputTokens: Int
    public var cacheReadTokens: Int
    public var cacheWriteTokens: Int
    /// The cost in US dollars, priced from the catalog; 0 for refused and failed requests.
    public var costUsd: Double
    /// ISO 8601, UTC, milliseconds.
    public var startedAt: String
    /// The billing lease the gateway took this request's hold from; nil when the request was held on its
    /// own (by its request id) or not at all.
    public var leaseId: String?

    /// Creates a record.
    public init(
        requestId: String,
        keyId: String,
        platform: String,
        provider: String?,
        model: String,
        upstreamModel: String?,
        status: Int,
        outcome: Outcome,
        error: String?,
        stream: Bool,
        attempts: Int,
        latencyMs: Double,
        ttftMs: Double?,
        inputTokens: Int,
        outputTokens: Int,
        cacheReadTokens: Int,
        cacheWriteTokens: Int,
        costUsd: Double,
        startedAt: String,
        leaseId: String? = nil,
        userId: String? = nil
    ) {
        self.requestId = requestId
        self.keyId = keyId
        self.platform = platform
        self.provider = provider
        self.model = model
        self.upstreamModel = upstreamModel
        self.status = status
        self.outcome = outcome
        self.error = error
        self.stream = stream
        self.attempts = attempts
        self.latencyMs = latencyMs
        self.ttftMs = ttftMs
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cacheReadTokens = cacheReadTokens
        self.cacheWriteTokens = cacheWriteTokens
        self.costUsd = costUsd
        self.startedAt = startedAt
        self.leaseId = leaseId
        self.userId = userId
    }

    /// The wire names of the fields.
    enum CodingKeys: String, CodingKey {
        case requestId = "request_id"
        case keyId = "key_id"
        case platform
        case provider
        case model
        case upstreamModel = "upstream_model"
        case status
        case outcome
        case error
        case stream
        case attempts
        case latencyMs = "latency_ms"
        case ttftMs = "ttft_ms"
        case inputTokens = "input_tokens"
        case outputTokens = "output_tokens"
        case cacheReadTokens = "cache_read_tokens"
        case cacheWriteTokens = "cache_write_tokens"
        case costUsd = "cost_usd"
        case startedAt = "started_at"
        case leaseId = "lease_id"
        case userId = "user_id"
    }

    /// The JSON payload: compact, keys sorted, absent optionals left out.
    ///
    /// Written byte by byte rather than with JSONEncoder, which cost more than a tenth of a
    /// request's CPU time in the gateway. ``decode(_:)`` reads it back to an equal record.
    public func encoded() -> [UInt8] {
        var writer = EventJSONWriter(capacity: 448)
        // Keys in sorted order, so equal records give equal bytes.
        writer.member("attempts", integer: self.attempts)
        writer.member("cache_read_tokens", integer: self.cacheReadTokens)
        writer.member("cache_write_tokens", integer: self.cacheWriteTokens)
        writer.member("cost_usd", number: self.costUsd)
        if let error = self.error { writer.member("error", string: error) }
        writer.member("input_tokens", integer: self.inputTokens)
        writer.member("key_id", string: self.keyId)
        writer.member("latency_ms", number: self.latencyMs)
        if let leaseId = self.leaseId { writer.member("lease_id", string: leaseId) }
        writer.member("model", string: self.model)
        writer.member("outcome", string: self.outcome.rawValue)
        writer.member("output_tokens", integer: self.outputTokens)
        writer.member("platform", string: self.platform)
        if let provider = self.provider { writer.member("provider", string: provider) }
        writer.member("request_id", string: self.requestId)
        writer.member("started_at", string: self.startedAt)
        writer.member("status", integer: self.status)
        writer.member("stream", bool: self.stream)
        if let ttftMs = self.ttftMs { writer.member("ttft_ms", number: ttftMs) }
        if let upstreamModel = self.upstreamModel { writer.member("upstream_model", string: upstreamModel) }
        if let userId = self.userId { writer.member("user_id", string: userId) }
        return writer.finish()
    }
}
