import LLMWire
import Testing

/// Parses a request body given as text.
private func parse(
    _ body: String,
    _ wire: APIProtocol,
    pathModel: String? = nil,
    streamRoute: Bool = false
) throws -> ClientRequest {
    try ClientRequest.parse(
        Array(body.utf8),
        protocol: wire,
        pathModel: pathModel,
        streamRoute: streamRoute
    )
}

@Suite("Client request parsing")
struct ClientRequestTests {
    @Test("Model and stream come from the body")
    func fromBody() throws {
        let request = try parse(#"{"model":"gpt-4o","stream":true,"messages":[]}"#, .openai)
        #expect(request.model == "gpt-4o")
        #expect(request.stream)
        #expect(request.clientProtocol == .openai)
        #expect(!request.clientWantsUsageChunk)
        let anthropic = try parse(#"{"model":"claude","messages":[],"max_tokens":5}"#, .anthropic)
        #expect(!anthropic.stream)
        #expect(anthropic.body["max_tokens"] == 5)
        let nullStream = try parse(#"{"model":"m","stream":null}"#, .openaiResponses)
        #expect(!nullStream.stream)
    }

    @Test("Gemini takes the model from the path and streaming from the route")
    func gemini() throws {
        let body = #"{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}"#
        let request = try parse(body, .gemini, pathModel: "gemini-2.5-flash", streamRoute: true)
        #expect(request.model == "gemini-2.5-flash")
        #expect(request.stream)
        #expect(throws: WireError.missingModel) { try parse(body, .gemini) }
    }

    @Test("The OpenAI include_usage option is noted")
    func includeUsage() throws {
        let body = #"{"model":"m","stream":true,"stream_options":{"include_usage":true}}"#
        #expect(try parse(body, .openai).clientWantsUsageChunk)
        #expect(!(try parse(body, .anthropic).clientWantsUsageChunk))
    }

    @Test("Malformed JSON")
    func malformed() {
        #expect {
            try parse(#"{"model": "#, .openai)
        } throws: { error in
            guard case .malformedJSON = error as? WireError else { return false }
            return "\(error)".hasPrefix("request body is not valid JSON: ")
        }
    }

    @Test("Not an object")
    func notAnObject() {
        #expect(throws: WireError.notAnObject) { try parse("[1]", .anthropic) }
        #expect(WireError.notAnObject.description == "request body must be a JSON object")
    }

    @Test(
        "Missing, non-string or empty model",
        arguments: [#"{}"#, #"{"model":3}"#, #"{"model":""}"#]
    )
    func missingModel(body: String) {
        #expect(throws: WireError.missingModel) { try parse(body, .openai) }
        #expect(WireError.missingModel.description == "request body has no \"model\" string")
    }

    @Test("A stream flag that is not a Boolean")
    func streamNotBoolean() {
        #expect(throws: WireError.invalidField("stream", "must be a boolean")) {
            try parse(#"{"model":"m","stream":"yes"}"#, .anthropic)
        }
    }
}
