extension RequestTranslation {
    /// An Anthropic Messages body for an OpenAI Chat Completions body.
    ///
    /// System and developer messages become `system`; tool calls become `tool_use` blocks and tool
    /// messages `tool_result` blocks in a user turn; consecutive turns of one role are merged, as
    /// Anthropic requires alternation. Images, audio and files throw
    /// ``WireError/unsupportedContent(_:)``.
    static func anthropicRequest(
        fromOpenAI body: JSONValue,
        model: String,
        stream: Bool
    ) throws(WireError) -> JSONValue {
        guard let messages = body["messages"]?.arrayValue else {
            throw .invalidField("messages", "must be an array")
        }
        let (system, turns) = try Self.anthropicConversation(fromOpenAI: messages)
        let completionLimit = try Self.integer(body, "max_completion_tokens")
        let tokenLimit = try Self.integer(body, "max_tokens")
        var output: [String: JSONValue] = [
            "model": .string(model),
            "messages": .array(turns.map(Self.anthropicMessage)),
            "max_tokens": .integer(completionLimit ?? tokenLimit ?? Self.defaultMaxTokens),
        ]
        if !system.isEmpty { output["system"] = .string(system.joined(separator: "\n\n")) }
        output["temperature"] = try Self.number(body, "temperature")
        output["top_p"] = try Self.number(body, "top_p")
        output["stop_sequences"] = try Self.stopSequences(body["stop"])
        if stream { output["stream"] = true }
        if let user = body["user"]?.stringValue { output["metadata"] = ["user_id": .string(user)] }
        let tools = try Self.anthropicTools(body["tools"])
        if !tools.isEmpty { output["tools"] = .array(tools) }
        var choice = try Self.anthropicToolChoice(body["tool_choice"])
        if body["parallel_tool_calls"] == false, !tools.isEmpty, choice?["type"] != "none" {
            choice = (choice ?? ["type": "auto"]).setting("disable_parallel_tool_use", to: true)
        }
        output["tool_choice"] = choice
        return .object(output)
    }

    /// The system text and merged Anthropic turns for OpenAI messages.
    private static func anthropicConversation(
        fromOpenAI messages: [JSONValue]
    ) throws(WireError) -> (system: [String], turns: [Turn]) {
        var system: [String] = []
        var turns: [Turn] = []
        for (index, message) in messages.enumerated() {
            let path = "messages[\(index)]"
            guard let role = message["role"]?.stringValue else {
                throw .invalidField("\(path).role", "must be a string")
            }
            switch role {
            case "system", "developer":
                system.append(
                    try Self.openAIText(
                        message["content"],
                        separator: "\n\n",
                        path: "\(path).content"
                    )
                )
            case "user":
                Self.append(
                    try Self.openAIBlocks(message["content"], path: "\(path).content"),
                    role: "user",
                    to: &turns
                )
            case "assistant":
                var blocks = try Self.openAIBlocks(message["content"], path: "\(path).content")
                blocks += try Self.toolUseBlocks(message["tool_calls"], path: "\(path).tool_calls")
                Self.append(blocks, role: "assistant", to: &turns)
            case "tool":
                guard let id = message["tool_call_id"]?.stringValue else {
                    throw .invalidField("\(path).tool_call_id", "must be a string")
                }
                let text = try Self.openAIText(
                    message["content"],
                    separator: "\n",
                    path: "\(path).content"
                )
                let result: JSONValue = [
                    "type": "tool_result", "tool_use_id": .string(id), "content": .string(text),
                ]
                Self.append([result], role: "user", to: &turns)
            default:
                throw .invalidField(
                    "\(path).role",
                    "must be system, developer, user, assistant or tool"
                )
            }
        }
        return (system, turns)
    }

    /// A merged turn as an Anthropic message; a lone plain text block becomes a string.
    private static func anthropicMessage(_ turn: Turn) -> JSONValue {
        if turn.blocks.isEmpty {
            return ["role": .string(turn.role), "content": ""]
        }
        if turn.blocks.count == 1, let block = turn.blocks[0].objectValue, block.count == 2,
            block["type"] == "text", let text = block["text"]
        {
            return ["role": .string(turn.role), "content": text]
        }
        return ["role": .string(turn.role), "content": .array(turn.blocks)]
    }

    /// The text of OpenAI content (a string or text parts, joined by `separator`).
    private static func openAIText(
        _ content: JSONValue?,
        separator: String,
        path: String
    ) throws(WireError) -> String {
        var texts: [String] = []
        for block in try Self.openAIBlocks(content, path: path) {
            texts.append(block["text"]?.stringValue ?? "")
        }
        return texts.joined(separator: separator)
    }

    /// Anthropic text blocks for OpenAI content: a string, an array of parts, or null.
    private static func openAIBlocks(
        _ content: JSONValue?,
        path: String
    ) throws(WireError) -> [JSONValue] {
        switch content {
        case nil, .null?:
            return []
        case .string(let text)?:
            return text.isEmpty ? [] : [Self.textBlock(text)]
        case .array(let parts)?:
            var blocks: [JSONValue] = []
            for (index, part) in parts.enumerated() {
                let type = part["type"]?.stringValue ?? "text"
                guard type == "text" || type == "refusal" else {
                    let name = Self.contentName(type)
                    throw .unsupportedContent(
                        "\(name) content cannot be translated from openai to anthropic"
                    )
                }
                guard let text = part[type]?.stringValue else {
                    throw .invalidField("\(path)[\(index)].\(type)", "must be a string")
                }
                if text.isEmpty { continue }
                var block = Self.textBlock(text)
                if let cacheControl = part["cache_control"] {
                    block = block.setting("cache_control", to: cacheControl)
                }
                blocks.append(block)
            }
            return blocks
        default:
            throw .invalidField(path, "must be a string, an array of content parts or null")
        }
    }

    /// What to call an OpenAI content part type in an error.
    private static func contentName(_ type: String) -> String {
        switch type {
        case "image_url": "image"
        case "input_audio": "audio"
        default: type
        }
    }

    /// Anthropic `tool_use` blocks for OpenAI `tool_calls`.
    private static func toolUseBlocks(
        _ calls: JSONValue?,
        path: String
    ) throws(WireError) -> [JSONValue] {
        guard let calls, !calls.isNull else { return [] }
        guard let list = calls.arrayValue else { throw .invalidField(path, "must be an array") }
        var blocks: [JSONValue] = []
        for (index, call) in list.enumerated() {
            let callPath = "\(path)[\(index)]"
            guard let id = call["id"]?.stringValue else {
                throw .invalidField("\(callPath).id", "must be a string")
            }
            guard let name = call[path: "function", "name"]?.stringValue else {
                throw .invalidField("\(callPath).function.name", "must be a string")
            }
            let arguments = call[path: "function", "arguments"]?.stringValue ?? ""
            let input: JSONValue
            if arguments.trimmingASCIIWhitespace().isEmpty {
                input = [:]
            } else if let parsed = try? JSONValue.parse(arguments.utf8), parsed.objectValue != nil {
                input = parsed
            } else {
                throw .invalidField("\(callPath).function.arguments", "must be a JSON object")
            }
            blocks.append([
                "type": "tool_use", "id": .string(id), "name": .string(name), "input": input,
            ])
        }
        return blocks
    }

    /// Anthropic `stop_sequences` for OpenAI `stop` (a string or an array of strings).
    private static func stopSequences(_ stop: JSONValue?) throws(WireError) -> JSONValue? {
        switch stop {
        case nil, .null?:
            return nil
        case .string(let sequence)?:
            return [.string(sequence)]
        case .array(let sequences)? where sequences.allSatisfy { $0.stringValue != nil }:
            return sequences.isEmpty ? nil : .array(sequences)
        default:
            throw .invalidField("stop", "must be a string or an array of strings")
        }
    }

    /// Anthropic tools for OpenAI function tools.
    private static func anthropicTools(_ tools: JSONValue?) throws(WireError) -> [JSONValue] {
        guard let tools, !tools.isNull else { return [] }
        guard let list = tools.arrayValue else { throw .invalidField("tools", "must be an array") }
        var output: [JSONValue] = []
        for (index, tool) in list.enumerated() {
            let type = tool["type"]?.stringValue ?? "function"
            guard type == "function" else {
                throw .unsupportedContent(
                    "\(type) tools cannot be translated from openai to anthropic"
                )
            }
            guard let function = tool["function"], let name = function["name"]?.stringValue else {
                throw .invalidField("tools[\(index)].function.name", "must be a string")
            }
            var converted: [String: JSONValue] = [
                "name": .string(name),
                "input_schema": function["parameters"] ?? ["type": "object", "properties": [:]],
            ]
            if let description = function["description"], description.stringValue != nil {
                converted["description"] = description
            }
            output.append(.object(converted))
        }
        return output
    }

    /// Anthropic `tool_choice` for OpenAI `tool_choice`.
    private static func anthropicToolChoice(_ choice: JSONValue?) throws(WireError) -> JSONValue? {
        switch choice {
        case nil, .null?: return nil
        case "auto"?: return ["type": "auto"]
        case "required"?: return ["type": "any"]
        case "none"?: return ["type": "none"]
        default:
            guard let name = choice?[path: "function", "name"]?.stringValue else {
                throw .invalidField("tool_choice", "must be auto, required, none or a function")
            }
            return ["type": "tool", "name": .string(name)]
        }
    }
}
