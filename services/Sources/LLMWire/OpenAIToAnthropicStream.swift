/// Turns OpenAI `chat.completion.chunk` events into Anthropic Messages stream events.
///
/// The `message_delta` that carries the stop reason is held until the usage chunk (or `[DONE]`)
/// arrives, so that it can carry the final usage.
struct OpenAIToAnthropicStream: Sendable {
    private enum OpenBlock: Sendable, Equatable {
        case text(Int)
        case tool(Int)
    }

    let model: String
    private var started = false
    private var stopped = false
    private var openBlock: OpenBlock?
    private var nextBlockIndex = 0
    /// Anthropic content block indexes by OpenAI tool-call index.
    private var toolBlocks: [Int: Int] = [:]
    private var usage = TokenUsage.zero
    private var heldStopReason: String?

    init(model: String) {
        self.model = model
    }

    mutating func translate(_ event: ServerSentEvent) -> [UInt8] {
        guard !self.stopped else { return [] }
        if StreamEventClassifier.isDoneMarker(event.data) {
            guard self.started else { return [] }
            return self.stop(reason: self.heldStopReason ?? "end_turn")
        }
        guard let json = try? JSONValue.parse(event.data.utf8) else { return [] }
        if let error = json["error"], !error.isNull {
            let reading = StreamError.reading(error, protocol: .openai)
            let kind = ErrorKind(classifying: reading, from: .openai)
            return ErrorShape.streamEvent(for: kind, message: reading.message, protocol: .anthropic)
        }
        var output = self.start(id: json["id"]?.stringValue)
        let usage = json["usage"]
        if let usage, usage.objectValue != nil { UsageReading.openAI(usage).apply(to: &self.usage) }
        let choices = json["choices"]?.arrayValue ?? []
        if let choice = choices.first(where: { $0["index"]?.intValue ?? 0 == 0 }) {
            output += self.translate(choice)
        }
        if let held = self.heldStopReason, usage?.objectValue != nil {
            output += self.stop(reason: held)
        }
        return output
    }

    mutating func finish() -> [UInt8] {
        guard !self.stopped, self.started, let held = self.heldStopReason else { return [] }
        return self.stop(reason: held)
    }

    private mutating func translate(_ choice: JSONValue) -> [UInt8] {
        var output: [UInt8] = []
        let delta = choice["delta"] ?? [:]
        if let text = delta["content"]?.stringValue, !text.isEmpty {
            output += self.text(text)
        }
        for call in delta["tool_calls"]?.arrayValue ?? [] {
            output += self.toolCall(call)
        }
        if let reason = choice["finish_reason"]?.stringValue {
            output += self.closeBlock()
            self.heldStopReason = ReasonMapping.anthropicStopReason(reason)
        }
        return output
    }

    private mutating func start(id: String?) -> [UInt8] {
        guard !self.started else { return [] }
        self.started = true
        let message: JSONValue = [
            "id": .string(id ?? "msg_gateway"),
            "type": "message",
            "role": "assistant",
            "model": .string(self.model),
            "content": [],
            "stop_reason": .null,
            "stop_sequence": .null,
            "usage": ["input_tokens": 0, "output_tokens": 0],
        ]
        return Self.event("message_start", ["type": "message_start", "message": message])
    }

    private mutating func text(_ text: String) -> [UInt8] {
        var output: [UInt8] = []
        let index: Int
        if case .text(let open) = self.openBlock {
            index = open
        } else {
            output += self.closeBlock()
            index = self.openNewBlock(OpenBlock.text)
            output += Self.event(
                "content_block_start",
                [
                    "type": "content_block_start", "index": .integer(index),
                    "content_block": ["type": "text", "text": ""],
                ]
            )
        }
        let delta: JSONValue = ["type": "text_delta", "text": .string(text)]
        output += Self.event(
            "content_block_delta",
            ["type": "content_block_delta", "index": .integer(index), "delta": delta]
        )
        return output
    }

    private mutating func toolCall(_ call: JSONValue) -> [UInt8] {
        var output: [UInt8] = []
        let toolIndex = call["index"]?.intValue ?? 0
        let index: Int
        if let known = self.toolBlocks[toolIndex] {
            index = known
        } else {
            output += self.closeBlock()
            index = self.openNewBlock(OpenBlock.tool)
            self.toolBlocks[toolIndex] = index
            let block: JSONValue = [
                "type": "tool_use",
                "id": .string(call["id"]?.stringValue ?? "call_\(toolIndex)"),
                "name": .string(call[path: "function", "name"]?.stringValue ?? ""),
                "input": [:],
            ]
            output += Self.event(
                "content_block_start",
                ["type": "content_block_start", "index": .integer(index), "content_block": block]
            )
        }
        let fragment = call[path: "function", "arguments"]?.stringValue ?? ""
        guard !fragment.isEmpty else { return output }
        let delta: JSONValue = ["type": "input_json_delta", "partial_json": .string(fragment)]
        output += Self.event(
            "content_block_delta",
            ["type": "content_block_delta", "index": .integer(index), "delta": delta]
        )
        return output
    }

    /// Opens a block of the given kind at the next index and returns the index.
    private mutating func openNewBlock(_ kind: (Int) -> OpenBlock) -> Int {
        let index = self.nextBlockIndex
        self.nextBlockIndex += 1
        self.openBlock = kind(index)
        return index
    }

    private mutating func closeBlock() -> [UInt8] {
        guard let block = self.openBlock else { return [] }
        self.openBlock = nil
        let index: Int
        switch block {
        case .text(let open), .tool(let open): index = open
        }
        return Self.event(
            "content_block_stop",
            ["type": "content_block_stop", "index": .integer(index)]
        )
    }

    private mutating func stop(reason: String) -> [UInt8] {
        self.stopped = true
        var output = self.closeBlock()
        let usage: JSONValue = [
            "input_tokens": .integer(self.usage.inputTokens),
            "output_tokens": .integer(self.usage.outputTokens),
            "cache_read_input_tokens": .integer(self.usage.cacheReadTokens),
        ]
        output += Self.event(
            "message_delta",
            [
                "type": "message_delta",
                "delta": ["stop_reason": .string(reason), "stop_sequence": .null],
                "usage": usage,
            ]
        )
        return output + Self.event("message_stop", ["type": "message_stop"])
    }

    private static func event(_ name: String, _ json: JSONValue) -> [UInt8] {
        ServerSentEventEncoder.encode(event: name, json: json)
    }
}
