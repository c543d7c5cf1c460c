/// Follows a stream of one protocol, accumulating usage and noting content, end and errors.
///
/// Usage values in streams are cumulative, so the last one seen wins, field by field. Anthropic
/// input and cache counts come from `message_start` and output from the last `message_delta`;
/// a `message_delta` that carries non-zero input or cache counts overrides them too.
public struct StreamUsageTracker: Sendable {
    /// The protocol of the stream.
    public let apiProtocol: APIProtocol
    /// The usage seen so far.
    public private(set) var usage: TokenUsage = .zero
    /// Whether any event carried output the user sees.
    public private(set) var sawContent = false
    /// Whether the stream's end marker was seen (never for Gemini, whose streams have none).
    public private(set) var sawEnd = false
    /// OpenAI `finish_reason`, Anthropic `stop_reason`, Gemini `finishReason` or Responses
    /// `status`.
    public private(set) var finishReason: String?
    /// The last error event seen, if any.
    public private(set) var error: StreamError?

    /// Creates a tracker for a stream in `protocol`.
    public init(protocol wire: APIProtocol) {
        self.apiProtocol = wire
    }

    /// Notes one event and returns what it means.
    public mutating func observe(_ event: ServerSentEvent) -> StreamEventKind {
        let (kind, json) = StreamEventClassifier.classify(event, protocol: self.apiProtocol)
        switch kind {
        case .content: self.sawContent = true
        case .end: self.sawEnd = true
        case .error(let error): self.error = error
        case .preamble, .usageOnly, .other: break
        }
        guard let json else { return kind }
        switch self.apiProtocol {
        case .openai: self.observeOpenAI(json)
        case .anthropic: self.observeAnthropic(event, json)
        case .openaiResponses: self.observeResponses(event, json)
        case .gemini: self.observeGemini(json)
        }
        return kind
    }

    private mutating func observeOpenAI(_ json: JSONValue) {
        if let usage = json["usage"], usage.objectValue != nil {
            UsageReading.openAI(usage).apply(to: &self.usage)
        }
        for choice in json["choices"]?.arrayValue ?? [] {
            if let reason = choice["finish_reason"]?.stringValue { self.finishReason = reason }
        }
    }

    private mutating func observeAnthropic(_ event: ServerSentEvent, _ json: JSONValue) {
        switch StreamEventClassifier.eventType(event, json) {
        case "message_start":
            if let usage = json[path: "message", "usage"] {
                UsageReading.anthropic(usage).apply(to: &self.usage)
            }
        case "message_delta":
            if let usage = json["usage"] {
                UsageReading.anthropic(usage, onlyNonZeroInput: true).apply(to: &self.usage)
            }
            if let reason = json[path: "delta", "stop_reason"]?.stringValue {
                self.finishReason = reason
            }
        default:
            break
        }
    }

    private mutating func observeResponses(_ event: ServerSentEvent, _ json: JSONValue) {
        switch json["type"]?.stringValue ?? event.event {
        case "response.completed", "response.incomplete", "response.failed":
            guard let response = json["response"] else { return }
            if let usage = response["usage"], usage.objectValue != nil {
                UsageReading.responses(usage).apply(to: &self.usage)
            }
            if let status = response["status"]?.stringValue { self.finishReason = status }
        default:
            break
        }
    }

    private mutating func observeGemini(_ json: JSONValue) {
        if let metadata = json["usageMetadata"], metadata.objectValue != nil {
            UsageReading.gemini(metadata).apply(to: &self.usage)
        }
        for candidate in json["candidates"]?.arrayValue ?? [] {
            if let reason = candidate["finishReason"]?.stringValue { self.finishReason = reason }
        }
    }
}
