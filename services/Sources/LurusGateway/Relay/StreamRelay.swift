import LLMWire

/// Turns a provider's SSE bytes into the bytes for the client, event by event, while following usage.
///
/// Same protocol: each event's bytes pass through unchanged, except OpenAI's usage chunk when the
/// client did not ask for it. Across protocols: each event is translated. Pure: the caller does I/O.
struct StreamRelay: Sendable {
    private var parser = ServerSentEventParser()
    private(set) var tracker: StreamUsageTracker
    private var translator: StreamTranslator?
    private let stripUsageChunk: Bool
    /// An error event reached the client (relayed or translated) after content.
    private(set) var relayedError = false
    private var finished = false

    init(request: ClientRequest, providerProtocol: APIProtocol) throws(WireError) {
        self.tracker = StreamUsageTracker(protocol: providerProtocol)
        if request.clientProtocol == providerProtocol {
            self.translator = nil
            self.stripUsageChunk = providerProtocol == .openai && !request.clientWantsUsageChunk
        } else {
            self.translator = try StreamTranslator(
                from: providerProtocol,
                to: request.clientProtocol,
                model: request.model,
                clientWantsUsageChunk: request.clientWantsUsageChunk
            )
            self.stripUsageChunk = false
        }
    }

    /// What a piece of the provider's stream produced.
    struct Step {
        var output: [UInt8] = []
        /// An error event arrived before any content: nothing of this attempt may reach the client.
        var errorBeforeContent: StreamError?
    }

    mutating func consume(_ bytes: some Collection<UInt8>) -> Step {
        self.relay(self.parser.feed(bytes))
    }

    /// Flushes a final event left without its blank line and the translator's closing events.
    /// Idempotent: a second call (the stream may end while it is being opened) adds nothing.
    mutating func finish() -> Step {
        guard !self.finished else { return Step() }
        self.finished = true
        var step = self.relay(self.parser.finish())
        if var translator = self.translator, step.errorBeforeContent == nil {
            step.output += translator.finish()
            self.translator = translator
        }
        return step
    }

    var sawContent: Bool { self.tracker.sawContent }
    var sawEnd: Bool { self.tracker.sawEnd }
    var usage: TokenUsage { self.tracker.usage }

    private mutating func relay(_ events: [ServerSentEvent]) -> Step {
        var step = Step()
        for event in events {
            let kind = self.tracker.observe(event)
            if case .error(let error) = kind {
                if !self.tracker.sawContent {
                    return Step(output: [], errorBeforeContent: error)
                }
                self.relayedError = true
            }
            if var translator = self.translator {
                step.output += translator.translate(event)
                self.translator = translator
            } else if kind == .usageOnly && self.stripUsageChunk {
                continue
            } else {
                step.output += event.raw
            }
        }
        return step
    }
}
