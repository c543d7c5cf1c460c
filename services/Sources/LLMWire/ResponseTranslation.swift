import Foundation

/// Translates complete (non-streaming) response bodies between OpenAI Chat Completions and
/// Anthropic Messages.
public enum ResponseTranslation {
    /// The body a client of `client` expects for a provider body of `provider`.
    ///
    /// `model` is reported to the client (the name it asked for); `created` defaults to now. The
    /// same protocol on both sides returns the body unchanged; pairs other than OpenAI ⇄ Anthropic
    /// throw ``WireError/unsupportedPair(client:provider:)``. A body that is not a success response
    /// throws ``WireError/invalidField(_:_:)``; translate error bodies with ``ResponseInspection``
    /// and ``ErrorShape`` instead.
    public static func translate(
        _ body: JSONValue,
        from provider: APIProtocol,
        to client: APIProtocol,
        model: String,
        created: Int? = nil
    ) throws(WireError) -> JSONValue {
        switch (provider, client) {
        case _ where provider == client:
            return body
        case (.anthropic, .openai):
            return try Self.openAICompletion(fromAnthropic: body, model: model, created: created)
        case (.openai, .anthropic):
            return try Self.anthropicMessage(fromOpenAI: body, model: model)
        default:
            throw .unsupportedPair(client: client, provider: provider)
        }
    }

    /// The OpenAI `usage` object for a usage record.
    static func openAIUsage(_ usage: TokenUsage) -> JSONValue {
        [
            "prompt_tokens": .integer(usage.promptTokens),
            "completion_tokens": .integer(usage.outputTokens),
            "total_tokens": .integer(usage.totalTokens),
            "prompt_tokens_details": ["cached_tokens": .integer(usage.cacheReadTokens)],
        ]
    }

    /// The Anthropic `usage` object for a usage record.
    static func anthropicUsage(_ usage: TokenUsage) -> JSONValue {
        [
            "input_tokens": .integer(usage.inputTokens),
            "output_tokens": .integer(usage.outputTokens),
            "cache_read_input_tokens": .integer(usage.cacheReadTokens),
            "cache_creation_input_tokens": .integer(usage.cacheWriteTokens),
        ]
    }

    /// Seconds since 1970, now.
    static func now() -> Int { Int(Date().timeIntervalSince1970) }

    private static func openAICompletion(
        fromAnthropic body: JSONValue,
        model: String,
        created: Int?
    ) throws(WireError) -> JSONValue {
        guard let blocks = body["content"]?.arrayValue else {
            throw .invalidField("content", "must be an array of content blocks")
        }
        var text = ""
        var calls: [JSONValue] = []
        for block in blocks {
            switch block["type"]?.stringValue {
            case "text"?:
                text += block["text"]?.stringValue ?? ""
            case "tool_use"?:
                calls.append([
                    "id": block["id"] ?? "",
                    "type": "function",
                    "function": [
                        "name": block["name"] ?? "",
                        "arguments": .string((block["input"] ?? [:]).jsonText),
                    ],
                ])
            default:
                continue
            }
        }
        var message: [String: JSONValue] = ["role": "assistant"]
        message["content"] = text.isEmpty && !calls.isEmpty ? .null : .string(text)
        if !calls.isEmpty { message["tool_calls"] = .array(calls) }
        let finishReason = body["stop_reason"]?.stringValue.map(ReasonMapping.openAIFinishReason)
        let usage = ResponseInspection.usage(in: body, protocol: .anthropic)
        return [
            "id": body["id"] ?? "",
            "object": "chat.completion",
            "created": .integer(created ?? Self.now()),
            "model": .string(model),
            "choices": [
                [
                    "index": 0,
                    "message": .object(message),
                    "finish_reason": finishReason.map(JSONValue.string) ?? .null,
                ]
            ],
            "usage": Self.openAIUsage(usage),
        ]
    }

    private static func anthropicMessage(
        fromOpenAI body: JSONValue,
        model: String
    ) throws(WireError) -> JSONValue {
        guard let choice = body["choices"]?[0], let message = choice["message"] else {
            throw .invalidField("choices", "must be a non-empty array of choices with a message")
        }
        var content: [JSONValue] = []
        if let text = message["content"]?.stringValue, !text.isEmpty {
            content.append(["type": "text", "text": .string(text)])
        } else if let refusal = message["refusal"]?.stringValue, !refusal.isEmpty {
            content.append(["type": "text", "text": .string(refusal)])
        }
        for call in message["tool_calls"]?.arrayValue ?? [] {
            let arguments = call[path: "function", "arguments"]?.stringValue ?? ""
            var input: JSONValue = [:]
            if let parsed = try? JSONValue.parse(arguments.utf8), parsed.objectValue != nil {
                input = parsed
            }
            content.append([
                "type": "tool_use",
                "id": call["id"] ?? "",
                "name": call[path: "function", "name"] ?? "",
                "input": input,
            ])
        }
        let stopReason = choice["finish_reason"]?.stringValue.map(ReasonMapping.anthropicStopReason)
        let usage = ResponseInspection.usage(in: body, protocol: .openai)
        return [
            "id": body["id"] ?? "",
            "type": "message",
            "role": "assistant",
            "model": .string(model),
            "content": .array(content),
            "stop_reason": stopReason.map(JSONValue.string) ?? .null,
            "stop_sequence": .null,
            "usage": Self.anthropicUsage(usage),
        ]
    }
}
