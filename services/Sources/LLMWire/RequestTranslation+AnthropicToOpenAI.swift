extension RequestTranslation {
    /// An OpenAI Chat Completions body for an Anthropic Messages body.
    ///
    /// `system` becomes the first message; `tool_use` blocks become assistant `tool_calls` and
    /// `tool_result` blocks `tool` messages; thinking blocks are dropped. Images and documents
    /// throw ``WireError/unsupportedContent(_:)``. `stream_options` is left to the caller.
    static func openAIRequest(
        fromAnthropic body: JSONValue,
        model: String,
        stream: Bool
    ) throws(WireError) -> JSONValue {
        guard let messages = body["messages"]?.arrayValue else {
            throw .invalidField("messages", "must be an array")
        }
        var output: [JSONValue] = []
        if let system = body["system"], !system.isNull {
            let text = try Self.anthropicText(system, separator: "\n\n", path: "system")
            output.append(["role": "system", "content": .string(text)])
        }
        for (index, message) in messages.enumerated() {
            let path = "messages[\(index)]"
            switch message["role"]?.stringValue {
            case "user"?:
                output += try Self.openAIUserMessages(message["content"], path: "\(path).content")
            case "assistant"?:
                output.append(
                    try Self.openAIAssistantMessage(message["content"], path: "\(path).content")
                )
            default:
                throw .invalidField("\(path).role", "must be user or assistant")
            }
        }
        var request: [String: JSONValue] = ["model": .string(model), "messages": .array(output)]
        request["max_tokens"] = try Self.integer(body, "max_tokens").map(JSONValue.integer)
        request["temperature"] = try Self.number(body, "temperature")
        request["top_p"] = try Self.number(body, "top_p")
        if let stop = body["stop_sequences"], !stop.isNull {
            guard let sequences = stop.arrayValue, sequences.allSatisfy({ $0.stringValue != nil })
            else {
                throw .invalidField("stop_sequences", "must be an array of strings")
            }
            if !sequences.isEmpty { request["stop"] = stop }
        }
        if stream { request["stream"] = true }
        if let user = body[path: "metadata", "user_id"]?.stringValue {
            request["user"] = .string(user)
        }
        let tools = try Self.openAITools(body["tools"])
        if !tools.isEmpty { request["tools"] = .array(tools) }
        if let choice = body["tool_choice"], !choice.isNull {
            request["tool_choice"] = try Self.openAIToolChoice(choice)
            if choice["disable_parallel_tool_use"] == true, !tools.isEmpty {
                request["parallel_tool_calls"] = false
            }
        }
        return .object(request)
    }

    /// The text of Anthropic content (a string or text blocks, joined by `separator`).
    private static func anthropicText(
        _ content: JSONValue,
        separator: String,
        path: String
    ) throws(WireError) -> String {
        if let text = content.stringValue { return text }
        guard let blocks = content.arrayValue else {
            throw .invalidField(path, "must be a string or an array of content blocks")
        }
        var texts: [String] = []
        for (index, block) in blocks.enumerated() {
            let type = block["type"]?.stringValue ?? ""
            guard type == "text" else { throw Self.unsupported(type) }
            guard let text = block["text"]?.stringValue else {
                throw .invalidField("\(path)[\(index)].text", "must be a string")
            }
            texts.append(text)
        }
        return texts.joined(separator: separator)
    }

    private static func unsupported(_ type: String) -> WireError {
        let name = type.isEmpty ? "untyped" : type
        return .unsupportedContent("\(name) content cannot be translated from anthropic to openai")
    }

    /// OpenAI messages for an Anthropic user turn: its tool results as `tool` messages, then its
    /// text.
    private static func openAIUserMessages(
        _ content: JSONValue?,
        path: String
    ) throws(WireError) -> [JSONValue] {
        if let text = content?.stringValue { return [["role": "user", "content": .string(text)]] }
        guard let blocks = content?.arrayValue else {
            throw .invalidField(path, "must be a string or an array of content blocks")
        }
        var messages: [JSONValue] = []
        var parts: [JSONValue] = []
        for (index, block) in blocks.enumerated() {
            let blockPath = "\(path)[\(index)]"
            switch block["type"]?.stringValue ?? "" {
            case "text":
                guard let text = block["text"]?.stringValue else {
                    throw .invalidField("\(blockPath).text", "must be a string")
                }
                parts.append(["type": "text", "text": .string(text)])
            case "tool_result":
                guard let id = block["tool_use_id"]?.stringValue else {
                    throw .invalidField("\(blockPath).tool_use_id", "must be a string")
                }
                let result = block["content"] ?? ""
                let text =
                    result.isNull
                    ? ""
                    : try Self.anthropicText(result, separator: "\n", path: "\(blockPath).content")
                messages.append([
                    "role": "tool", "tool_call_id": .string(id), "content": .string(text),
                ])
            case let type:
                throw Self.unsupported(type)
            }
        }
        if parts.count == 1, let text = parts[0]["text"] {
            messages.append(["role": "user", "content": text])
        } else if !parts.isEmpty || messages.isEmpty {
            messages.append(["role": "user", "content": .array(parts)])
        }
        return messages
    }

    /// An OpenAI assistant message for an Anthropic assistant turn.
    private static func openAIAssistantMessage(
        _ content: JSONValue?,
        path: String
    ) throws(WireError) -> JSONValue {
        if let text = content?.stringValue {
            return ["role": "assistant", "content": .string(text)]
        }
        guard let blocks = content?.arrayValue else {
            throw .invalidField(path, "must be a string or an array of content blocks")
        }
        var text = ""
        var calls: [JSONValue] = []
        for (index, block) in blocks.enumerated() {
            let blockPath = "\(path)[\(index)]"
            switch block["type"]?.stringValue ?? "" {
            case "text":
                text += block["text"]?.stringValue ?? ""
            case "tool_use":
                guard let id = block["id"]?.stringValue, let name = block["name"]?.stringValue
                else {
                    throw .invalidField("\(blockPath)", "tool_use needs string id and name")
                }
                let arguments = (block["input"] ?? [:]).jsonText
                calls.append([
                    "id": .string(id),
                    "type": "function",
                    "function": ["name": .string(name), "arguments": .string(arguments)],
                ])
            case "thinking", "redacted_thinking":
                continue
            case let type:
                throw Self.unsupported(type)
            }
        }
        var message: [String: JSONValue] = ["role": "assistant"]
        message["content"] = text.isEmpty && !calls.isEmpty ? .null : .string(text)
        if !calls.isEmpty { message["tool_calls"] = .array(calls) }
        return .object(message)
    }

    /// OpenAI function tools for Anthropic tools.
    private static func openAITools(_ tools: JSONValue?) throws(WireError) -> [JSONValue] {
        guard let tools, !tools.isNull else { return [] }
        guard let list = tools.arrayValue else { throw .invalidField("tools", "must be an array") }
        var output: [JSONValue] = []
        for (index, tool) in list.enumerated() {
            if let type = tool["type"]?.stringValue, type != "custom" {
                throw .unsupportedContent(
                    "\(type) tools cannot be translated from anthropic to openai"
                )
            }
            guard let name = tool["name"]?.stringValue else {
                throw .invalidField("tools[\(index)].name", "must be a string")
            }
            var function: [String: JSONValue] = [
                "name": .string(name),
                "parameters": tool["input_schema"] ?? ["type": "object", "properties": [:]],
            ]
            if let description = tool["description"], description.stringValue != nil {
                function["description"] = description
            }
            output.append(["type": "function", "function": .object(function)])
        }
        return output
    }

    /// OpenAI `tool_choice` for Anthropic `tool_choice`.
    private static func openAIToolChoice(_ choice: JSONValue) throws(WireError) -> JSONValue {
        switch choice["type"]?.stringValue {
        case "auto"?: return "auto"
        case "any"?: return "required"
        case "none"?: return "none"
        case "tool"?:
            guard let name = choice["name"]?.stringValue else {
                throw .invalidField("tool_choice.name", "must be a string")
            }
            return ["type": "function", "function": ["name": .string(name)]]
        default:
            throw .invalidField("tool_choice.type", "must be auto, any, none or tool")
        }
    }
}
