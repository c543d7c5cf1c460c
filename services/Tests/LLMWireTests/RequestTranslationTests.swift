import LLMWire
import Testing

/// Translates a client body to the other protocol's upstream body.
private func translate(
    _ body: String,
    from client: APIProtocol,
    to provider: APIProtocol
) throws -> JSONValue {
    let request = try ClientRequest.parse(Array(body.utf8), protocol: client)
    return try json(request.upstreamBody(providerProtocol: provider, upstreamModel: "target"))
}

@Suite("Request translation")
struct RequestTranslationTests {
    @Test("OpenAI → Anthropic: system hoisted, parameters mapped, default max_tokens")
    func openAIToAnthropicBasics() throws {
        let body = """
            {"model":"gpt-4o","messages":[{"role":"system","content":"Be brief."},
             {"role":"developer","content":[{"type":"text","text":"Use French."}]},
             {"role":"user","content":"Hello"}],
             "temperature":0.5,"top_p":0.9,"stop":"END","user":"u-1"}
            """
        let output = try translate(body, from: .openai, to: .anthropic)
        let expected: JSONValue = [
            "model": "target",
            "system": "Be brief.\n\nUse French.",
            "messages": [["role": "user", "content": "Hello"]],
            "max_tokens": 4096,
            "temperature": 0.5,
            "top_p": 0.9,
            "stop_sequences": ["END"],
            "metadata": ["user_id": "u-1"],
        ]
        #expect(output == expected)
    }

    @Test("OpenAI → Anthropic: max_completion_tokens wins, stop arrays kept, stream copied")
    func openAIToAnthropicLimits() throws {
        let body = """
            {"model":"m","stream":true,"max_tokens":50,"max_completion_tokens":70,
             "stop":["a","b"],"messages":[{"role":"user","content":"x"}]}
            """
        let output = try translate(body, from: .openai, to: .anthropic)
        #expect(output["max_tokens"] == 70)
        #expect(output["stop_sequences"] == ["a", "b"])
        #expect(output["stream"] == true)
        #expect(output["stream_options"] == nil)
    }

    @Test("OpenAI → Anthropic: tool calls, tool results and merged turns")
    func openAIToAnthropicTools() throws {
        let body = """
            {"model":"m","messages":[
             {"role":"user","content":[{"type":"text","text":"Weather in Paris and Rome?"}]},
             {"role":"assistant","content":null,"tool_calls":[
              {"id":"call_1","type":"function","function":{"name":"weather",
               "arguments":"{\\"city\\":\\"Paris\\"}"}},
              {"id":"call_2","type":"function","function":{"name":"weather",
               "arguments":"{\\"city\\":\\"Rome\\"}"}}]},
             {"role":"tool","tool_call_id":"call_1","content":"18C"},
             {"role":"tool","tool_call_id":"call_2","content":[{"type":"text","text":"21C"}]},
             {"role":"user","content":"Thanks"}],
             "tools":[{"type":"function","function":{"name":"weather","description":"Get weather",
              "parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}],
             "tool_choice":{"type":"function","function":{"name":"weather"}},
             "parallel_tool_calls":false}
            """
        let output = try translate(body, from: .openai, to: .anthropic)
        let messages = try #require(output["messages"]?.arrayValue)
        #expect(messages.count == 3)
        #expect(messages[0] == ["role": "user", "content": "Weather in Paris and Rome?"])
        let assistant: JSONValue = [
            "role": "assistant",
            "content": [
                [
                    "type": "tool_use", "id": "call_1", "name": "weather",
                    "input": ["city": "Paris"],
                ],
                ["type": "tool_use", "id": "call_2", "name": "weather", "input": ["city": "Rome"]],
            ],
        ]
        #expect(messages[1] == assistant)
        let results: JSONValue = [
            "role": "user",
            "content": [
                ["type": "tool_result", "tool_use_id": "call_1", "content": "18C"],
                ["type": "tool_result", "tool_use_id": "call_2", "content": "21C"],
                ["type": "text", "text": "Thanks"],
            ],
        ]
        #expect(messages[2] == results)
        let tool: JSONValue = [
            "name": "weather",
            "description": "Get weather",
            "input_schema": ["type": "object", "properties": ["city": ["type": "string"]]],
        ]
        #expect(output["tools"] == [tool])
        #expect(
            output["tool_choice"] == [
                "type": "tool", "name": "weather", "disable_parallel_tool_use": true,
            ]
        )
    }

    @Test(
        "OpenAI → Anthropic: tool_choice strings",
        arguments: [("auto", "auto"), ("required", "any"), ("none", "none")]
    )
    func openAIToolChoice(openAI: String, anthropic: String) throws {
        let body = """
            {"model":"m","messages":[{"role":"user","content":"x"}],"tool_choice":"\(openAI)",
             "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]}
            """
        let output = try translate(body, from: .openai, to: .anthropic)
        #expect(output["tool_choice"] == ["type": .string(anthropic)])
    }

    @Test("OpenAI → Anthropic: image parts are refused, naming the content")
    func openAIImageRefused() {
        let body = """
            {"model":"m","messages":[{"role":"user","content":[
             {"type":"text","text":"What is this?"},
             {"type":"image_url","image_url":{"url":"https://example.com/cat.png"}}]}]}
            """
        #expect(
            throws: WireError.unsupportedContent(
                "image content cannot be translated from openai to anthropic"
            )
        ) {
            try translate(body, from: .openai, to: .anthropic)
        }
    }

    @Test("OpenAI → Anthropic: tool call arguments that are not a JSON object are refused")
    func badArguments() {
        let body = """
            {"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function",
             "function":{"name":"f","arguments":"not json"}}]}]}
            """
        #expect(
            throws: WireError.invalidField(
                "messages[0].tool_calls[0].function.arguments",
                "must be a JSON object"
            )
        ) {
            try translate(body, from: .openai, to: .anthropic)
        }
    }

    @Test("Anthropic → OpenAI: system first, text blocks, parameters and include_usage")
    func anthropicToOpenAIBasics() throws {
        let body = """
            {"model":"claude","max_tokens":256,"stream":true,"temperature":0.2,"top_p":0.8,
             "top_k":5,
             "system":[{"type":"text","text":"Be brief."},{"type":"text","text":"Be kind."}],
             "stop_sequences":["STOP"],"metadata":{"user_id":"u-2"},
             "messages":[{"role":"user","content":[{"type":"text","text":"Hi"}]},
              {"role":"assistant","content":"Hello!"},
              {"role":"user","content":[{"type":"text","text":"One"},
               {"type":"text","text":"Two"}]}]}
            """
        let output = try translate(body, from: .anthropic, to: .openai)
        let expected: JSONValue = [
            "model": "target",
            "max_tokens": 256,
            "stream": true,
            "stream_options": ["include_usage": true],
            "temperature": 0.2,
            "top_p": 0.8,
            "stop": ["STOP"],
            "user": "u-2",
            "messages": [
                ["role": "system", "content": "Be brief.\n\nBe kind."],
                ["role": "user", "content": "Hi"],
                ["role": "assistant", "content": "Hello!"],
                [
                    "role": "user",
                    "content": [
                        ["type": "text", "text": "One"], ["type": "text", "text": "Two"],
                    ],
                ],
            ],
        ]
        #expect(output == expected)
    }

    @Test("Anthropic → OpenAI: tool use, tool results, tools and tool_choice")
    func anthropicToOpenAITools() throws {
        let body = """
            {"model":"claude","max_tokens":100,"messages":[
             {"role":"user","content":"Weather?"},
             {"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"s"},
              {"type":"text","text":"Checking."},
              {"type":"tool_use","id":"toolu_1","name":"weather","input":{"city":"Paris"}}]},
             {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1",
              "content":[{"type":"text","text":"18C"}]},{"type":"text","text":"And tomorrow?"}]}],
             "tools":[{"name":"weather","description":"Get weather",
              "input_schema":{"type":"object"}}],
             "tool_choice":{"type":"any","disable_parallel_tool_use":true}}
            """
        let output = try translate(body, from: .anthropic, to: .openai)
        let messages = try #require(output["messages"]?.arrayValue)
        #expect(messages.count == 4)
        let assistant: JSONValue = [
            "role": "assistant",
            "content": "Checking.",
            "tool_calls": [
                [
                    "id": "toolu_1", "type": "function",
                    "function": ["name": "weather", "arguments": #"{"city":"Paris"}"#],
                ]
            ],
        ]
        #expect(messages[1] == assistant)
        #expect(messages[2] == ["role": "tool", "tool_call_id": "toolu_1", "content": "18C"])
        #expect(messages[3] == ["role": "user", "content": "And tomorrow?"])
        let tool: JSONValue = [
            "type": "function",
            "function": [
                "name": "weather", "description": "Get weather", "parameters": ["type": "object"],
            ],
        ]
        #expect(output["tools"] == [tool])
        #expect(output["tool_choice"] == "required")
        #expect(output["parallel_tool_calls"] == false)
        #expect(output["stream_options"] == nil)
    }

    @Test("Anthropic → OpenAI: a named tool choice")
    func anthropicNamedToolChoice() throws {
        let body = """
            {"model":"c","max_tokens":1,"messages":[{"role":"user","content":"x"}],
             "tools":[{"name":"f","input_schema":{"type":"object"}}],
             "tool_choice":{"type":"tool","name":"f"}}
            """
        let output = try translate(body, from: .anthropic, to: .openai)
        #expect(output["tool_choice"] == ["type": "function", "function": ["name": "f"]])
    }

    @Test("Anthropic → OpenAI: image blocks are refused")
    func anthropicImageRefused() {
        let body = """
            {"model":"c","max_tokens":1,"messages":[{"role":"user","content":[
             {"type":"image","source":{"type":"base64","media_type":"image/png",
              "data":"iVBORw0"}}]}]}
            """
        #expect(
            throws: WireError.unsupportedContent(
                "image content cannot be translated from anthropic to openai"
            )
        ) {
            try translate(body, from: .anthropic, to: .openai)
        }
    }

    @Test("Messages that are not an array are refused")
    func messagesNotArray() {
        #expect(throws: WireError.invalidField("messages", "must be an array")) {
            try translate(#"{"model":"m","messages":"hi"}"#, from: .openai, to: .anthropic)
        }
    }
}
