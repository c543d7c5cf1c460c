import LLMWire
import Testing

@Suite("Response inspection")
struct ResponseInspectionTests {
    @Test("Usage of a complete body in each protocol")
    func usage() throws {
        #expect(
            ResponseInspection.usage(in: try json(Samples.openAICompletion), protocol: .openai)
                == TokenUsage(inputTokens: 93, outputTokens: 46, cacheReadTokens: 1024)
        )
        #expect(
            ResponseInspection.usage(in: try json(Samples.anthropicMessage), protocol: .anthropic)
                == TokenUsage(
                    inputTokens: 2095,
                    outputTokens: 503,
                    cacheReadTokens: 100,
                    cacheWriteTokens: 2051
                )
        )
        #expect(
            ResponseInspection.usage(
                in: try json(Samples.responsesBody),
                protocol: .openaiResponses
            )
                == TokenUsage(inputTokens: 30, outputTokens: 87, cacheReadTokens: 6)
        )
        #expect(
            ResponseInspection.usage(in: try json(Samples.geminiBody), protocol: .gemini)
                == TokenUsage(inputTokens: 6, outputTokens: 255, cacheReadTokens: 2)
        )
    }

    @Test("A body without usage reports zero")
    func noUsage() throws {
        #expect(ResponseInspection.usage(in: try json(#"{"id":"x"}"#), protocol: .openai) == .zero)
        #expect(
            ResponseInspection.usage(in: try json(#"{"usage":null}"#), protocol: .anthropic)
                == .zero
        )
    }

    @Test("Gemini array of frames: the last usage wins")
    func geminiArray() throws {
        let body = try json(
            #"[{"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":1}},"#
                + #"{"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":7}}]"#
        )
        #expect(
            ResponseInspection.usage(in: body, protocol: .gemini)
                == TokenUsage(inputTokens: 5, outputTokens: 7)
        )
    }

    @Test("Errors in each protocol's body shape")
    func errors() throws {
        let anthropic = try json(
            #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#
        )
        #expect(
            ResponseInspection.error(in: anthropic, protocol: .anthropic)
                == StreamError(type: "overloaded_error", message: "Overloaded", isOverload: true)
        )
        let openAI = try json(
            #"{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","#
                + #""param":null,"code":"invalid_api_key"}}"#
        )
        #expect(
            ResponseInspection.error(in: openAI, protocol: .openai)
                == StreamError(
                    type: "invalid_request_error",
                    message: "Incorrect API key provided",
                    isOverload: false
                )
        )
        let gemini = try json(
            #"{"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}"#
        )
        #expect(
            ResponseInspection.error(in: gemini, protocol: .gemini)
                == StreamError(
                    type: "UNAVAILABLE",
                    message: "The model is overloaded.",
                    isOverload: true
                )
        )
        let failed = try json(
            #"{"id":"resp_1","object":"response","status":"failed","#
                + #""error":{"code":"server_error","message":"The model failed."},"usage":null}"#
        )
        #expect(
            ResponseInspection.error(in: failed, protocol: .openaiResponses)
                == StreamError(type: "server_error", message: "The model failed.", isOverload: true)
        )
    }

    @Test("A successful body has no error")
    func noError() throws {
        #expect(
            ResponseInspection.error(
                in: try json(Samples.responsesBody),
                protocol: .openaiResponses
            ) == nil
        )
        #expect(
            ResponseInspection.error(in: try json(Samples.openAICompletion), protocol: .openai)
                == nil
        )
        #expect(
            ResponseInspection.error(in: try json(Samples.geminiBody), protocol: .gemini) == nil
        )
    }
}
