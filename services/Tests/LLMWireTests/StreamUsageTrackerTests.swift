import LLMWire
import Testing

/// Runs every event of a sample through a tracker, returning it and the kinds it reported.
private func track(
    _ sample: String,
    _ wire: APIProtocol
) -> (StreamUsageTracker, [StreamEventKind]) {
    var tracker = StreamUsageTracker(protocol: wire)
    let kinds = meaningfulEvents(sample).map { tracker.observe($0) }
    return (tracker, kinds)
}

@Suite("Stream usage tracking")
struct StreamUsageTrackerTests {
    @Test("OpenAI: usage from the include_usage chunk, cached tokens split out")
    func openAI() {
        let (tracker, kinds) = track(Samples.openAIStream, .openai)
        #expect(
            tracker.usage == TokenUsage(inputTokens: 176, outputTokens: 12, cacheReadTokens: 1024)
        )
        #expect(kinds == [.preamble, .content, .content, .other, .usageOnly, .end])
        #expect(tracker.sawContent)
        #expect(tracker.sawEnd)
        #expect(tracker.finishReason == "stop")
    }

    @Test("Anthropic: input and cache from message_start, output from message_delta")
    func anthropic() {
        let (tracker, kinds) = track(Samples.anthropicStream, .anthropic)
        let expected = TokenUsage(
            inputTokens: 25,
            outputTokens: 15,
            cacheReadTokens: 2000,
            cacheWriteTokens: 100
        )
        #expect(tracker.usage == expected)
        #expect(
            kinds == [.preamble, .preamble, .preamble, .content, .content, .other, .other, .end]
        )
        #expect(tracker.finishReason == "end_turn")
        #expect(tracker.sawEnd)
    }

    @Test("Anthropic: non-zero input counts in message_delta override message_start, zeros do not")
    func anthropicDeltaInput() throws {
        var tracker = StreamUsageTracker(protocol: .anthropic)
        let start =
            #"{"type":"message_start","message":{"usage":{"input_tokens":10,"#
            + #""cache_read_input_tokens":5,"output_tokens":1}}}"#
        _ = tracker.observe(ServerSentEvent(event: "message_start", data: start))
        let delta =
            #"{"type":"message_delta","delta":{"stop_reason":"max_tokens"},"#
            + #""usage":{"input_tokens":12,"cache_read_input_tokens":0,"output_tokens":40}}"#
        _ = tracker.observe(ServerSentEvent(event: "message_delta", data: delta))
        #expect(tracker.usage == TokenUsage(inputTokens: 12, outputTokens: 40, cacheReadTokens: 5))
        #expect(tracker.finishReason == "max_tokens")
    }

    @Test("Responses: usage and status from response.completed")
    func responses() {
        let (tracker, kinds) = track(Samples.responsesStream, .openaiResponses)
        #expect(tracker.usage == TokenUsage(inputTokens: 32, outputTokens: 11, cacheReadTokens: 5))
        #expect(kinds == [.preamble, .preamble, .preamble, .preamble, .content, .other, .end])
        #expect(tracker.finishReason == "completed")
        #expect(tracker.sawEnd)
    }

    @Test("Gemini: cumulative usage metadata, the last frame wins; no end marker")
    func gemini() {
        let (tracker, kinds) = track(Samples.geminiStream, .gemini)
        #expect(tracker.usage == TokenUsage(inputTokens: 40, outputTokens: 29, cacheReadTokens: 60))
        #expect(kinds == [.content, .content, .content])
        #expect(tracker.finishReason == "STOP")
        #expect(!tracker.sawEnd)
        #expect(tracker.sawContent)
    }

    @Test("A stream with no content reports none")
    func noContent() {
        var tracker = StreamUsageTracker(protocol: .openai)
        let first = #"{"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}"#
        #expect(tracker.observe(ServerSentEvent(data: first)) == .preamble)
        #expect(tracker.observe(ServerSentEvent(data: "[DONE]")) == .end)
        #expect(!tracker.sawContent)
        #expect(tracker.usage == .zero)
    }

    @Test("An error event is remembered")
    func remembersError() {
        let (tracker, _) = track(Samples.anthropicOverloadedEvent, .anthropic)
        #expect(
            tracker.error
                == StreamError(type: "overloaded_error", message: "Overloaded", isOverload: true)
        )
    }
}
