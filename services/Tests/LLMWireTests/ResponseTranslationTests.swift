import LLMWire
import Testing

@Suite("Response translation")
struct ResponseTranslationTests {
    @Test("Anthropic message → OpenAI chat.completion")
    func anthropicToOpenAI() throws {
        let output = try ResponseTranslation.translate(
            try json(Samples.anthropicMessage),
            from: .anthropic,
            to: .openai,
            model: "alias",
            created: 1_700_000_000
        )
        let expected: JSONValue = [
            "id": "msg_013Zva2CMHLNnXjNJJKqJ2EF",
            "object": "chat.completion",
            "created": 1_700_000_000,
            "model": "alias",
            "choices": [
                [
                    "index": 0,
                    "message": ["role": "assistant", "content": "Hi! My name is Claude."],
                    "finish_reason": "stop",
                ]
            ],
            "usage": [
                "prompt_tokens": 4246,
                "completion_tokens": 503,
                "total_tokens": 4749,
                "prompt_tokens_details": ["cached_tokens": 100],
            ],
        ]
        #expect(output == expected)
    }

    @Test("Anthropic tool use → OpenAI tool_calls with serialized arguments")
    func anthropicToolUseToOpenAI() throws {
        let output = try ResponseTranslation.translate(
            try json(Samples.anthropicToolMessage),
            from: .anthropic,
            to: .openai,
            model: "alias"
        )
        let choice = try #require(output["choices"]?[0])
        #expect(choice["finish_reason"] == "tool_calls")
        #expect(choice["message"]?["content"] == "I'll check the weather.")
        let call = try #require(choice["message"]?["tool_calls"]?[0])
        #expect(call["id"] == "toolu_01A09q90qw90lq917835lq9")
        #expect(call["type"] == "function")
        #expect(call["function"]?["name"] == "get_weather")
        let arguments = try #require(call["function"]?["arguments"]?.stringValue)
        #expect(try json(arguments) == ["location": "San Francisco, CA", "unit": "celsius"])
        #expect((output["created"]?.intValue ?? 0) > 1_600_000_000)
    }

    @Test(
        "Stop reasons map to finish reasons",
        arguments: [
            ("end_turn", "stop"), ("stop_sequence", "stop"), ("max_tokens", "length"),
            ("tool_use", "tool_calls"),
        ]
    )
    func stopReasons(stopReason: String, finishReason: String) throws {
        let body: JSONValue = [
            "id": "m", "content": [], "stop_reason": .string(stopReason), "usage": [:],
        ]
        let output = try ResponseTranslation.translate(
            body,
            from: .anthropic,
            to: .openai,
            model: "x",
            created: 0
        )
        #expect(output["choices"]?[0]?["finish_reason"] == .string(finishReason))
    }

    @Test("OpenAI chat.completion → Anthropic message")
    func openAIToAnthropic() throws {
        let output = try ResponseTranslation.translate(
            try json(Samples.openAICompletion),
            from: .openai,
            to: .anthropic,
            model: "alias"
        )
        let expected: JSONValue = [
            "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
            "type": "message",
            "role": "assistant",
            "model": "alias",
            "content": [["type": "text", "text": "The image shows a wooden boardwalk."]],
            "stop_reason": "end_turn",
            "stop_sequence": nil,
            "usage": [
                "input_tokens": 93,
                "output_tokens": 46,
                "cache_read_input_tokens": 1024,
                "cache_creation_input_tokens": 0,
            ],
        ]
        #expect(output == expected)
    }

    @Test("OpenAI tool_calls → Anthropic tool_use with parsed input")
    func openAIToolCallsToAnthropic() throws {
        let output = try ResponseTranslation.translate(
            try json(Samples.openAIToolCompletion),
            from: .openai,
            to: .anthropic,
            model: "alias"
        )
        #expect(output["stop_reason"] == "tool_use")
        let content: JSONValue = [
            [
                "type": "tool_use", "id": "call_abc123", "name": "get_current_weather",
                "input": ["location": "Boston, MA"],
            ]
        ]
        #expect(output["content"] == content)
        #expect(output["usage"]?["input_tokens"] == 82)
    }

    @Test("A length finish maps to max_tokens")
    func lengthFinish() throws {
        let body = try json(
            #"{"id":"c","choices":[{"index":0,"message":{"content":"x"},"#
                + #""finish_reason":"length"}]}"#
        )
        let output = try ResponseTranslation.translate(
            body,
            from: .openai,
            to: .anthropic,
            model: "m"
        )
        #expect(output["stop_reason"] == "max_tokens")
    }

    @Test("Unsupported pairs and non-responses are refused; the same protocol is unchanged")
    func refusals() throws {
        let body = try json(Samples.geminiBody)
        #expect(throws: WireError.unsupportedPair(client: .openai, provider: .gemini)) {
            try ResponseTranslation.translate(body, from: .gemini, to: .openai, model: "m")
        }
        #expect(
            try ResponseTranslation.translate(body, from: .gemini, to: .gemini, model: "m") == body
        )
        #expect(throws: WireError.self) {
            try ResponseTranslation.translate(
                ["error": [:]],
                from: .openai,
                to: .anthropic,
                model: "m"
            )
        }
    }
}
