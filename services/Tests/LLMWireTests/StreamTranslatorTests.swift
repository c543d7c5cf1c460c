import LLMWire
import Testing

/// Feeds every event of a sample through a translator and parses what it wrote.
private func translateStream(
    _ sample: String,
    from provider: APIProtocol,
    to client: APIProtocol,
    wantsUsage: Bool = false
) throws -> (bytes: [UInt8], events: [ServerSentEvent]) {
    var translator = try StreamTranslator(
        from: provider,
        to: client,
        model: "alias",
        clientWantsUsageChunk: wantsUsage,
        created: 42
    )
    var output: [UInt8] = []
    for event in events(sample) { output += translator.translate(event) }
    output += translator.finish()
    return (output, events(output))
}

/// The JSON of every event but `[DONE]`.
private func chunks(_ events: [ServerSentEvent]) throws -> [JSONValue] {
    try events.filter { $0.data != "[DONE]" }.map { try json($0.data) }
}

@Suite("Stream translation: Anthropic → OpenAI")
struct AnthropicToOpenAIStreamTests {
    @Test("Text stream becomes chunks, a finish reason and [DONE] without a usage chunk")
    func textWithoutUsage() throws {
        let (_, output) = try translateStream(
            Samples.anthropicStream,
            from: .anthropic,
            to: .openai
        )
        #expect(output.allSatisfy { $0.event == nil })
        #expect(output.last?.data == "[DONE]")
        let parsed = try chunks(output)
        #expect(parsed.count == 4)
        #expect(
            parsed.allSatisfy { $0["object"] == "chat.completion.chunk" && $0["model"] == "alias" }
        )
        #expect(
            parsed.allSatisfy {
                $0["id"] == "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY" && $0["created"] == 42
            }
        )
        #expect(parsed[0]["choices"]?[0]?["delta"] == ["role": "assistant", "content": ""])
        #expect(parsed[1]["choices"]?[0]?["delta"] == ["content": "Hello"])
        #expect(parsed[2]["choices"]?[0]?["delta"] == ["content": "!"])
        #expect(parsed[3]["choices"]?[0]?["finish_reason"] == "stop")
        #expect(parsed.allSatisfy { $0["usage"] == nil })
    }

    @Test("With include_usage the client gets a usage chunk before [DONE]")
    func textWithUsage() throws {
        let (_, output) = try translateStream(
            Samples.anthropicStream,
            from: .anthropic,
            to: .openai,
            wantsUsage: true
        )
        #expect(output.last?.data == "[DONE]")
        let usageChunk = try json(output[output.count - 2].data)
        #expect(usageChunk["choices"] == [])
        let usage: JSONValue = [
            "prompt_tokens": 2125, "completion_tokens": 15, "total_tokens": 2140,
            "prompt_tokens_details": ["cached_tokens": 2000],
        ]
        #expect(usageChunk["usage"] == usage)
        var tracker = StreamUsageTracker(protocol: .openai)
        for event in output { _ = tracker.observe(event) }
        #expect(
            tracker.usage == TokenUsage(inputTokens: 125, outputTokens: 15, cacheReadTokens: 2000)
        )
        #expect(tracker.sawEnd)
    }

    @Test("Tool use becomes tool_calls with argument fragments")
    func toolUse() throws {
        let (_, output) = try translateStream(
            Samples.anthropicToolStream,
            from: .anthropic,
            to: .openai
        )
        let deltas = try chunks(output).compactMap { $0["choices"]?[0]?["delta"] }
        let start: JSONValue = [
            "tool_calls": [
                [
                    "index": 0, "id": "toolu_01T1x1fJ34qAmk2tNTrN7Up6", "type": "function",
                    "function": ["name": "get_weather", "arguments": ""],
                ]
            ]
        ]
        #expect(deltas.contains(start))
        let fragments = deltas.compactMap {
            $0["tool_calls"]?[0]?["function"]?["arguments"]?.stringValue
        }
        #expect(fragments.joined() == #"{"location": "San Francisco, CA"}"#)
        #expect(deltas.contains(["content": "Let me check."]))
        let finish = try chunks(output).compactMap {
            $0["choices"]?[0]?["finish_reason"]?.stringValue
        }
        #expect(finish == ["tool_calls"])
    }

    @Test("An error event becomes an OpenAI error data event")
    func errorEvent() throws {
        let (_, output) = try translateStream(
            Samples.anthropicOverloadedEvent,
            from: .anthropic,
            to: .openai
        )
        #expect(output.count == 1)
        let error = try json(try #require(output.first).data)
        #expect(error["error"]?["message"] == "Overloaded")
        var tracker = StreamUsageTracker(protocol: .openai)
        guard case .error(let streamError) = tracker.observe(output[0]) else {
            Issue.record("the translated event should read as an OpenAI error")
            return
        }
        #expect(streamError.isOverload)
    }
}

@Suite("Stream translation: OpenAI → Anthropic")
struct OpenAIToAnthropicStreamTests {
    @Test("Text stream becomes the Anthropic event sequence with final usage")
    func textStream() throws {
        let (_, output) = try translateStream(Samples.openAIStream, from: .openai, to: .anthropic)
        #expect(
            output.map(\.event) == [
                "message_start", "content_block_start", "content_block_delta",
                "content_block_delta",
                "content_block_stop", "message_delta", "message_stop",
            ]
        )
        let parsed = try output.map { try json($0.data) }
        #expect(zip(output, parsed).allSatisfy { $0.event.map(JSONValue.string) == $1["type"] })
        #expect(parsed[0]["message"]?["model"] == "alias")
        #expect(parsed[0]["message"]?["content"] == [])
        #expect(parsed[1]["content_block"] == ["type": "text", "text": ""])
        #expect(parsed[2]["delta"] == ["type": "text_delta", "text": "Hello"])
        #expect(parsed[3]["delta"] == ["type": "text_delta", "text": " there"])
        #expect(parsed[4]["index"] == 0)
        #expect(parsed[5]["delta"] == ["stop_reason": "end_turn", "stop_sequence": nil])
        #expect(
            parsed[5]["usage"] == [
                "input_tokens": 176, "output_tokens": 12, "cache_read_input_tokens": 1024,
            ]
        )
    }

    @Test("The translated stream meters the same as the original")
    func meteringPreserved() throws {
        let (_, output) = try translateStream(Samples.openAIStream, from: .openai, to: .anthropic)
        var tracker = StreamUsageTracker(protocol: .anthropic)
        for event in output { _ = tracker.observe(event) }
        #expect(
            tracker.usage == TokenUsage(inputTokens: 176, outputTokens: 12, cacheReadTokens: 1024)
        )
        #expect(tracker.sawEnd)
        #expect(tracker.finishReason == "end_turn")
    }

    @Test("Tool calls become a tool_use block with input_json_delta fragments")
    func toolStream() throws {
        let (_, output) = try translateStream(
            Samples.openAIToolStream,
            from: .openai,
            to: .anthropic
        )
        #expect(
            output.map(\.event) == [
                "message_start", "content_block_start", "content_block_delta",
                "content_block_delta",
                "content_block_stop", "message_delta", "message_stop",
            ]
        )
        let parsed = try output.map { try json($0.data) }
        let block: JSONValue = [
            "type": "tool_use", "id": "call_abc", "name": "get_weather", "input": [:],
        ]
        #expect(parsed[1]["content_block"] == block)
        let fragments = parsed.compactMap { $0["delta"]?["partial_json"]?.stringValue }
        #expect(fragments.joined() == #"{"location":"Paris"}"#)
        #expect(parsed[5]["delta"]?["stop_reason"] == "tool_use")
        #expect(parsed[5]["usage"]?["output_tokens"] == 17)
    }

    @Test("Text then a tool call closes the text block first")
    func textThenTool() throws {
        let sample = """
            data: {"id":"c","choices":[{"index":0,"delta":{"role":"assistant","content":"Sure."}}]}

            data: {"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1",\
            "type":"function","function":{"name":"f","arguments":"{}"}}]}}]}

            data: {"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}

            data: [DONE]


            """
        let (_, output) = try translateStream(sample, from: .openai, to: .anthropic)
        #expect(
            output.map(\.event) == [
                "message_start", "content_block_start", "content_block_delta", "content_block_stop",
                "content_block_start", "content_block_delta", "content_block_stop", "message_delta",
                "message_stop",
            ]
        )
        let indexes = try output.map { try json($0.data)["index"]?.intValue }
        #expect(indexes == [nil, 0, 0, 0, 1, 1, 1, nil, nil])
    }

    @Test("Without a usage chunk, [DONE] releases the held message_delta")
    func doneWithoutUsage() throws {
        let sample = """
            data: {"id":"c","choices":[{"index":0,"delta":{"content":"Hi"}}]}

            data: {"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"length"}]}

            data: [DONE]


            """
        var translator = try StreamTranslator(
            from: .openai,
            to: .anthropic,
            model: "m",
            clientWantsUsageChunk: false
        )
        let parsed = events(sample)
        let beforeDone = parsed.dropLast().flatMap { translator.translate($0) }
        #expect(!events(beforeDone).contains { $0.event == "message_delta" })
        let atDone = events(translator.translate(parsed[parsed.count - 1]))
        #expect(atDone.map(\.event) == ["message_delta", "message_stop"])
        #expect(try json(atDone[0].data)["delta"]?["stop_reason"] == "max_tokens")
        #expect(translator.finish().isEmpty)
    }

    @Test("A stream that ends after the finish chunk without [DONE] is closed by finish")
    func finishReleasesHeld() throws {
        var translator = try StreamTranslator(
            from: .openai,
            to: .anthropic,
            model: "m",
            clientWantsUsageChunk: false
        )
        _ = translator.translate(
            ServerSentEvent(data: #"{"choices":[{"index":0,"delta":{"content":"x"}}]}"#)
        )
        _ = translator.translate(
            ServerSentEvent(data: #"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#)
        )
        #expect(events(translator.finish()).map(\.event) == ["message_delta", "message_stop"])
    }

    @Test("An OpenAI error becomes an Anthropic error event")
    func errorEvent() throws {
        var translator = try StreamTranslator(
            from: .openai,
            to: .anthropic,
            model: "m",
            clientWantsUsageChunk: false
        )
        let data = #"{"error":{"message":"busy","type":"server_error","param":null,"code":null}}"#
        let output = events(translator.translate(ServerSentEvent(data: data)))
        #expect(output.map(\.event) == ["error"])
        let body = try json(output[0].data)
        #expect(
            body == ["type": "error", "error": ["type": "overloaded_error", "message": "busy"]]
        )
    }
}

@Suite("Stream translation: pairs and relay")
struct StreamTranslatorPairTests {
    @Test("Unsupported pairs throw")
    func unsupported() {
        #expect(throws: WireError.unsupportedPair(client: .anthropic, provider: .gemini)) {
            try StreamTranslator(
                from: .gemini,
                to: .anthropic,
                model: "m",
                clientWantsUsageChunk: false
            )
        }
    }

    @Test("The same protocol relays raw bytes, dropping a usage chunk the client did not ask for")
    func relay() throws {
        let (bytes, output) = try translateStream(Samples.openAIStream, from: .openai, to: .openai)
        #expect(output.count == 5)
        #expect(!output.contains { $0.data.contains("\"choices\":[]") })
        let (withUsage, _) = try translateStream(
            Samples.openAIStream,
            from: .openai,
            to: .openai,
            wantsUsage: true
        )
        #expect(withUsage == Array(Samples.openAIStream.utf8))
        #expect(bytes.count < withUsage.count)
        let (anthropic, _) = try translateStream(
            Samples.anthropicStream,
            from: .anthropic,
            to: .anthropic
        )
        #expect(anthropic == Array(Samples.anthropicStream.utf8))
    }
}
