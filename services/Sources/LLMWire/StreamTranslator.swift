/// Translates a provider's event stream into the client's protocol, event by event.
///
/// Supports Anthropic → OpenAI and OpenAI → Anthropic. The same protocol on both sides relays each
/// event's raw bytes unchanged, except that an OpenAI usage-only chunk is dropped when the client
/// did not ask for one (the gateway asks the provider for it to meter the request).
public struct StreamTranslator: Sendable {
    private enum Mode: Sendable {
        case relay(dropUsageChunks: Bool)
        case anthropicToOpenAI(AnthropicToOpenAIStream)
        case openAIToAnthropic(OpenAIToAnthropicStream)
    }

    private var mode: Mode

    /// Creates a translator; `model` is reported to the client and `created` (OpenAI chunks)
    /// defaults to now. Pairs other than OpenAI ⇄ Anthropic or the same protocol throw
    /// ``WireError/unsupportedPair(client:provider:)``.
    public init(
        from provider: APIProtocol,
        to client: APIProtocol,
        model: String,
        clientWantsUsageChunk: Bool,
        created: Int? = nil
    ) throws(WireError) {
        switch (provider, client) {
        case _ where provider == client:
            self.mode = .relay(dropUsageChunks: client == .openai && !clientWantsUsageChunk)
        case (.anthropic, .openai):
            self.mode = .anthropicToOpenAI(
                AnthropicToOpenAIStream(
                    model: model,
                    created: created ?? ResponseTranslation.now(),
                    wantsUsageChunk: clientWantsUsageChunk
                )
            )
        case (.openai, .anthropic):
            self.mode = .openAIToAnthropic(OpenAIToAnthropicStream(model: model))
        default:
            throw .unsupportedPair(client: client, provider: provider)
        }
    }

    /// The client's SSE bytes for one provider event (often none, sometimes several events).
    public mutating func translate(_ event: ServerSentEvent) -> [UInt8] {
        switch self.mode {
        case .relay(let dropUsageChunks):
            if dropUsageChunks,
                StreamEventClassifier.classify(event, protocol: .openai).kind == .usageOnly
            {
                return []
            }
            return event.raw
        case .anthropicToOpenAI(var stream):
            let output = stream.translate(event)
            self.mode = .anthropicToOpenAI(stream)
            return output
        case .openAIToAnthropic(var stream):
            let output = stream.translate(event)
            self.mode = .openAIToAnthropic(stream)
            return output
        }
    }

    /// Bytes to send when the provider's stream ends: for OpenAI → Anthropic, a held
    /// `message_delta` and `message_stop` if the provider finished without `[DONE]`; else nothing.
    ///
    /// A stream cut off before it finished gets nothing here: the gateway decides whether to add
    /// an ``ErrorShape/streamEvent(for:message:protocol:)``.
    public mutating func finish() -> [UInt8] {
        switch self.mode {
        case .relay, .anthropicToOpenAI:
            return []
        case .openAIToAnthropic(var stream):
            let output = stream.finish()
            self.mode = .openAIToAnthropic(stream)
            return output
        }
    }
}
