/// What a streamed event means to the gateway.
public enum StreamEventKind: Sendable, Equatable {
    /// Not yet content: an OpenAI first chunk with only the role; Anthropic `message_start`,
    /// `content_block_start` or `ping`; Responses `response.created`, `response.in_progress`,
    /// `response.output_item.added` and the like.
    case preamble
    /// Output the user sees: text, reasoning or tool-call deltas; a Gemini frame whose candidates
    /// have parts.
    case content
    /// An OpenAI chunk with no choices and a usage object (the `include_usage` chunk).
    case usageOnly
    /// The end of the stream: OpenAI `[DONE]`, Anthropic `message_stop`, Responses
    /// `response.completed` or `response.incomplete`. Gemini streams have no end marker.
    case end
    /// An error reported in the stream.
    case error(StreamError)
    /// Anything else, such as Anthropic `message_delta` or an OpenAI finish chunk.
    case other
}

/// An error reported by a provider, in a stream or a response body.
public struct StreamError: Sendable, Equatable {
    /// The provider's error type: Anthropic `error.type`, OpenAI `error.type` (else `code`),
    /// Gemini `error.status`.
    public var type: String
    /// The provider's message.
    public var message: String
    /// Whether the provider is overloaded, so another provider may be tried: Anthropic
    /// `overloaded_error`; Gemini `UNAVAILABLE` or `RESOURCE_EXHAUSTED`; OpenAI a type or code
    /// containing "overloaded" or "server_error".
    public var isOverload: Bool

    /// Creates an error record.
    public init(type: String, message: String, isOverload: Bool) {
        self.type = type
        self.message = message
        self.isOverload = isOverload
    }
}
