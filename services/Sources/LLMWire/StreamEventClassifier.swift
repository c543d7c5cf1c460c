/// Decides what a streamed event of one protocol means.
enum StreamEventClassifier {
    /// The event's kind, and its data parsed as JSON when it is JSON.
    static func classify(
        _ event: ServerSentEvent,
        protocol wire: APIProtocol
    ) -> (kind: StreamEventKind, json: JSONValue?) {
        if wire == .openai, Self.isDoneMarker(event.data) { return (.end, nil) }
        guard !event.data.isEmpty, let json = try? JSONValue.parse(event.data.utf8) else {
            return (event.event == "error" ? .error(Self.unreadableError(event)) : .other, nil)
        }
        let kind: StreamEventKind
        switch wire {
        case .anthropic: kind = Self.anthropicKind(event, json)
        case .openai: kind = Self.openAIKind(json)
        case .openaiResponses: kind = Self.responsesKind(event, json)
        case .gemini: kind = Self.geminiKind(json)
        }
        return (kind, json)
    }

    /// Whether OpenAI data is the `[DONE]` marker.
    static func isDoneMarker(_ data: String) -> Bool {
        data.trimmingASCIIWhitespace().utf8.elementsEqual("[DONE]".utf8)
    }

    /// The event type: the `event:` name, else the data's `"type"`.
    static func eventType(_ event: ServerSentEvent, _ json: JSONValue) -> String? {
        event.event ?? json["type"]?.stringValue
    }

    private static func unreadableError(_ event: ServerSentEvent) -> StreamError {
        StreamError(type: "error", message: event.data, isOverload: false)
    }

    private static func anthropicKind(
        _ event: ServerSentEvent,
        _ json: JSONValue
    ) -> StreamEventKind {
        switch Self.eventType(event, json) {
        case "message_start", "content_block_start", "ping":
            .preamble
        case "content_block_delta":
            .content
        case "message_stop":
            .end
        case "error":
            .error(StreamError.reading(json["error"] ?? json, protocol: .anthropic))
        default:
            .other
        }
    }

    private static func openAIKind(_ json: JSONValue) -> StreamEventKind {
        if let error = json["error"], !error.isNull {
            return .error(StreamError.reading(error, protocol: .openai))
        }
        let choices = json["choices"]?.arrayValue ?? []
        if choices.isEmpty {
            if let usage = json["usage"], usage.objectValue != nil { return .usageOnly }
            return .other
        }
        var hasRole = false
        var hasFinish = false
        for choice in choices {
            let delta = choice["delta"] ?? .null
            if Self.deltaHasOutput(delta) { return .content }
            if delta["role"]?.stringValue != nil { hasRole = true }
            if let reason = choice["finish_reason"], !reason.isNull { hasFinish = true }
        }
        return hasRole && !hasFinish ? .preamble : .other
    }

    /// Whether an OpenAI delta carries text, a refusal, reasoning or tool calls.
    static func deltaHasOutput(_ delta: JSONValue) -> Bool {
        for key in ["content", "refusal", "reasoning_content", "reasoning"] {
            if let text = delta[key]?.stringValue, !text.isEmpty { return true }
        }
        if let calls = delta["tool_calls"]?.arrayValue, !calls.isEmpty { return true }
        return delta["function_call"]?.objectValue != nil
    }

    private static func responsesKind(
        _ event: ServerSentEvent,
        _ json: JSONValue
    ) -> StreamEventKind {
        guard let type = json["type"]?.stringValue ?? event.event else { return .other }
        switch type {
        case "response.completed", "response.incomplete":
            return .end
        case "error":
            // Either {"type":"error","code":…,"message":…} or {"type":"error","error":{…}}.
            let error = json["error"] ?? json.setting("type", to: nil)
            return .error(StreamError.reading(error, protocol: .openaiResponses))
        case "response.failed":
            let error = json[path: "response", "error"] ?? .null
            if error.isNull {
                return .error(StreamError(type: "response.failed", message: "", isOverload: false))
            }
            return .error(StreamError.reading(error, protocol: .openaiResponses))
        case "response.created", "response.in_progress", "response.queued",
            "response.output_item.added", "response.content_part.added",
            "response.reasoning_summary_part.added":
            return .preamble
        default:
            return type.hasSuffix(".delta") ? .content : .other
        }
    }

    private static func geminiKind(_ json: JSONValue) -> StreamEventKind {
        if let error = json["error"], !error.isNull {
            return .error(StreamError.reading(error, protocol: .gemini))
        }
        for candidate in json["candidates"]?.arrayValue ?? [] {
            if let parts = candidate[path: "content", "parts"]?.arrayValue, !parts.isEmpty {
                return .content
            }
        }
        return .other
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs, CRs and LFs. Works on UTF-8 bytes: it
    /// runs on every streamed OpenAI event (`isDoneMarker`), and a "\r\n" pair is trimmed too,
    /// which a `Character` comparison would miss (the pair is one grapheme).
    func trimmingASCIIWhitespace() -> Substring {
        let bytes = self.utf8
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }),
            let last = bytes.lastIndex(where: { !isSpace($0) })
        else { return "" }
        // Both ends sit next to ASCII bytes or the string's ends: character boundaries.
        return self[first..<bytes.index(after: last)]
    }
}
