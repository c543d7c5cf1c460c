import LLMWire
import Testing

/// The kind a fresh tracker reports for one event.
private func kind(_ wire: APIProtocol, event: String? = nil, _ data: String) -> StreamEventKind {
    var tracker = StreamUsageTracker(protocol: wire)
    return tracker.observe(ServerSentEvent(event: event, data: data))
}

@Suite("Stream event kinds")
struct StreamEventKindTests {
    @Test("Anthropic overloaded error event")
    func anthropicOverload() throws {
        let event = try #require(meaningfulEvents(Samples.anthropicOverloadedEvent).first)
        var tracker = StreamUsageTracker(protocol: .anthropic)
        let expected = StreamError(
            type: "overloaded_error",
            message: "Overloaded",
            isOverload: true
        )
        #expect(tracker.observe(event) == .error(expected))
    }

    @Test("Anthropic non-overload error")
    func anthropicAPIError() {
        let data = #"{"type":"error","error":{"type":"api_error","message":"Internal"}}"#
        #expect(
            kind(.anthropic, event: "error", data)
                == .error(StreamError(type: "api_error", message: "Internal", isOverload: false))
        )
    }

    @Test("OpenAI error data, overload by type or code")
    func openAIErrors() {
        let server = #"{"error":{"message":"busy","type":"server_error","param":null,"code":null}}"#
        #expect(
            kind(.openai, server)
                == .error(StreamError(type: "server_error", message: "busy", isOverload: true))
        )
        let limited =
            #"{"error":{"message":"slow down","type":"requests","code":"rate_limit_exceeded"}}"#
        #expect(
            kind(.openai, limited)
                == .error(StreamError(type: "requests", message: "slow down", isOverload: false))
        )
        let overloaded = #"{"error":{"message":"m","type":null,"code":"model_overloaded"}}"#
        #expect(
            kind(.openai, overloaded)
                == .error(StreamError(type: "model_overloaded", message: "m", isOverload: true))
        )
    }

    @Test("OpenAI chunk kinds: tool calls are content, a finish chunk is other")
    func openAIKinds() {
        let tool =
            #"{"choices":[{"index":0,"delta":{"tool_calls":"#
            + #"[{"index":0,"function":{"arguments":"{"}}]}}]}"#
        #expect(kind(.openai, tool) == .content)
        let finish = #"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#
        #expect(kind(.openai, finish) == .other)
        #expect(kind(.openai, #"{"choices":[],"usage":{"prompt_tokens":1}}"#) == .usageOnly)
        #expect(kind(.openai, " [DONE] ") == .end)
        #expect(kind(.openai, "\r\n[DONE]\t\r\n") == .end)
        #expect(kind(.openai, "") == .other)
    }

    @Test("Responses error and failed events")
    func responsesErrors() {
        let error =
            #"{"type":"error","code":"server_error","message":"boom","#
            + #""param":null,"sequence_number":3}"#
        #expect(
            kind(.openaiResponses, event: "error", error)
                == .error(StreamError(type: "server_error", message: "boom", isOverload: true))
        )
        let failed =
            #"{"type":"response.failed","response":{"status":"failed","#
            + #""error":{"code":"rate_limit_exceeded","message":"limit"}}}"#
        #expect(
            kind(.openaiResponses, failed)
                == .error(
                    StreamError(type: "rate_limit_exceeded", message: "limit", isOverload: false)
                )
        )
        #expect(
            kind(
                .openaiResponses,
                #"{"type":"response.function_call_arguments.delta","delta":"{"}"#
            ) == .content
        )
    }

    @Test("Gemini error frames: UNAVAILABLE and RESOURCE_EXHAUSTED are overloads")
    func geminiErrors() {
        let unavailable = #"{"error":{"code":503,"message":"overloaded","status":"UNAVAILABLE"}}"#
        #expect(
            kind(.gemini, unavailable)
                == .error(StreamError(type: "UNAVAILABLE", message: "overloaded", isOverload: true))
        )
        let exhausted = #"{"error":{"code":429,"message":"quota","status":"RESOURCE_EXHAUSTED"}}"#
        #expect(
            kind(.gemini, exhausted)
                == .error(
                    StreamError(type: "RESOURCE_EXHAUSTED", message: "quota", isOverload: true)
                )
        )
        let invalid = #"{"error":{"code":400,"message":"bad","status":"INVALID_ARGUMENT"}}"#
        #expect(
            kind(.gemini, invalid)
                == .error(StreamError(type: "INVALID_ARGUMENT", message: "bad", isOverload: false))
        )
        #expect(kind(.gemini, #"{"candidates":[{"finishReason":"STOP"}]}"#) == .other)
    }
}
