import LLMWire
import Testing

@Suite("API protocols")
struct APIProtocolTests {
    @Test("Upstream paths for each protocol")
    func paths() {
        #expect(APIProtocol.anthropic.upstreamPath(model: "m", stream: true) == "/v1/messages")
        #expect(APIProtocol.openai.upstreamPath(model: "m", stream: false) == "/chat/completions")
        #expect(APIProtocol.openaiResponses.upstreamPath(model: "m", stream: true) == "/responses")
        #expect(
            APIProtocol.gemini.upstreamPath(model: "gemini-2.5-flash", stream: false)
                == "/v1beta/models/gemini-2.5-flash:generateContent"
        )
        #expect(
            APIProtocol.gemini.upstreamPath(model: "gemini-2.5-flash", stream: true)
                == "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
        )
    }

    @Test("A Gemini model name cannot inject path or query characters")
    func geminiModelEscaped() {
        let path = APIProtocol.gemini.upstreamPath(model: "a/b?c", stream: false)
        #expect(path == "/v1beta/models/a%2Fb%3Fc:generateContent")
        let unicode = APIProtocol.gemini.upstreamPath(model: "modèle", stream: false)
        #expect(unicode == "/v1beta/models/mod%C3%A8le:generateContent")
    }

    @Test("Authentication headers for each protocol")
    func headers() {
        let anthropic = APIProtocol.anthropic.authenticationHeaders(apiKey: "k")
        #expect(anthropic.map(\.name) == ["x-api-key", "anthropic-version"])
        #expect(anthropic.map(\.value) == ["k", "2023-06-01"])
        for wire in [APIProtocol.openai, .openaiResponses] {
            let headers = wire.authenticationHeaders(apiKey: "k")
            #expect(headers.map(\.name) == ["Authorization"])
            #expect(headers.map(\.value) == ["Bearer k"])
        }
        let gemini = APIProtocol.gemini.authenticationHeaders(apiKey: "k")
        #expect(gemini.map(\.name) == ["x-goog-api-key"])
        #expect(gemini.map(\.value) == ["k"])
    }

    @Test("Raw values are the wire names")
    func rawValues() {
        #expect(
            APIProtocol.allCases.map(\.rawValue) == [
                "anthropic", "openai", "openai-responses", "gemini",
            ]
        )
        #expect(APIProtocol(rawValue: "openai-responses") == .openaiResponses)
    }
}
