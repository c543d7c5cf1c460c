import LLMWire
import Testing

@Suite("Wire errors")
struct WireErrorTests {
    @Test("Descriptions read as sentences for the client")
    func descriptions() {
        #expect(
            WireError.malformedJSON("unexpected end of input at byte 3").description
                == "request body is not valid JSON: unexpected end of input at byte 3"
        )
        #expect(
            WireError.invalidField("stream", "must be a boolean").description
                == "field \"stream\" must be a boolean"
        )
        #expect(
            WireError.unsupportedPair(client: .gemini, provider: .openai).description
                == "cannot serve gemini requests from openai providers: "
                + "only openai ⇄ anthropic are translated"
        )
        #expect(WireError.unsupportedContent("image content").description == "image content")
    }

    @Test("Token usage totals count every token once")
    func usageTotals() {
        let usage = TokenUsage(
            inputTokens: 10,
            outputTokens: 5,
            cacheReadTokens: 100,
            cacheWriteTokens: 20
        )
        #expect(usage.promptTokens == 130)
        #expect(usage.totalTokens == 135)
        #expect(TokenUsage.zero == TokenUsage())
    }
}
