/// Turns Anthropic Messages stream events into OpenAI `chat.completion.chunk` events.
struct AnthropicToOpenAIStream: Sendable {
    let model: String
    let created: Int
    let wantsUsageChunk: Bool
    private var id = "chatcmpl-gateway"
    private var usage = TokenUsage.zero
    /// OpenAI tool-call indexes by Anthropic content block index.
    private var toolIndexes: [Int: Int] = [:]
    private var finished = false

    init(model: String, created: Int, wantsUsageChunk: Bool) {
        self.model = model
        self.created = created
        self.wantsUsageChunk = wantsUsageChunk
    }

    mutating func translate(_ event: ServerSentEvent) -> [UInt8] {
        guard !self.finished else { return [] }
        guard let json = try? JSONValue.parse(event.data.utf8) else {
            guard event.event == "error" else { return [] }
            return ErrorShape.streamEvent(for: .upstream, message: event.data, protocol: .openai)
        }
        switch StreamEventClassifier.eventType(event, json) {
        case "message_start":
            let message = json["message"] ?? [:]
            if let id = message["id"]?.stringValue { self.id = id }
            if let usage = message["usage"] { UsageReading.anthropic(usage).apply(to: &self.usage) }
            return self.chunk(delta: ["role": "assistant", "content": ""])
        case "content_block_start":
            return self.startBlock(json)
        case "content_block_delta":
            return self.delta(json)
        case "message_delta":
            if let usage = json["usage"] {
                UsageReading.anthropic(usage, onlyNonZeroInput: true).apply(to: &self.usage)
            }
            guard let reason = json[path: "delta", "stop_reason"]?.stringValue else { return [] }
            return self.chunk(
                delta: [:],
                finishReason: .string(ReasonMapping.openAIFinishReason(reason))
            )
        case "message_stop":
            self.finished = true
            var output: [UInt8] = []
            if self.wantsUsageChunk {
                output += self.event([
                    "choices": [], "usage": ResponseTranslation.openAIUsage(self.usage),
                ])
            }
            return output + ServerSentEventEncoder.encode(event: nil, data: "[DONE]")
        case "error":
            let error = StreamError.reading(json["error"] ?? json, protocol: .anthropic)
            let kind = ErrorKind(classifying: error, from: .anthropic)
            return ErrorShape.streamEvent(for: kind, message: error.message, protocol: .openai)
        default:
            return []
        }
    }

    private mutating func startBlock(_ json: JSONValue) -> [UInt8] {
        let block = json["content_block"] ?? [:]
        switch block["type"]?.stringValue {
        case "text"?:
            guard let text = block["text"]?.stringValue, !text.isEmpty else { return [] }
            return self.chunk(delta: ["content": .string(text)])
        case "tool_use"?:
            let toolIndex = self.toolIndexes.count
            self.toolIndexes[json["index"]?.intValue ?? 0] = toolIndex
            let call: JSONValue = [
                "index": .integer(toolIndex),
                "id": block["id"] ?? "",
                "type": "function",
                "function": ["name": block["name"] ?? "", "arguments": ""],
            ]
            return self.chunk(delta: ["tool_calls": [call]])
        default:
            return []
        }
    }

    private func delta(_ json: JSONValue) -> [UInt8] {
        let delta = json["delta"] ?? [:]
        switch delta["type"]?.stringValue {
        case "text_delta"?:
            guard let text = delta["text"]?.stringValue, !text.isEmpty else { return [] }
            return self.chunk(delta: ["content": .string(text)])
        case "input_json_delta"?:
            guard let toolIndex = self.toolIndexes[json["index"]?.intValue ?? 0],
                let fragment = delta["partial_json"]?.stringValue, !fragment.isEmpty
            else { return [] }
            let call: JSONValue = [
                "index": .integer(toolIndex), "function": ["arguments": .string(fragment)],
            ]
            return self.chunk(delta: ["tool_calls": [call]])
        default:
            return []
        }
    }

    private func chunk(delta: JSONValue, finishReason: JSONValue = .null) -> [UInt8] {
        self.event(["choices": [["index": 0, "delta": delta, "finish_reason": finishReason]]])
    }

    /// A chunk event with the common members added to `members`.
    private func event(_ members: [String: JSONValue]) -> [UInt8] {
        var chunk = members
        chunk["id"] = .string(self.id)
        chunk["object"] = "chat.completion.chunk"
        chunk["created"] = .integer(self.created)
        chunk["model"] = .string(self.model)
        return ServerSentEventEncoder.encode(event: nil, json: .object(chunk))
    }
}
