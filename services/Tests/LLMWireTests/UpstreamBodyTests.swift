import LLMWire
import Testing

/// The upstream body for a client body, parsed back to JSON.
private func upstream(
    _ body: String,
    from client: APIProtocol,
    to provider: APIProtocol,
    model: String = "upstream-model",
    pathModel: String? = nil
) throws -> JSONValue {
    let request = try ClientRequest.parse(Array(body.utf8), protocol: client, pathModel: pathModel)
    return try json(request.upstreamBody(providerProtocol: provider, upstreamModel: model))
}

@Suite("Upstream bodies")
struct UpstreamBodyTests {
    @Test("The same protocol replaces the model and keeps everything else")
    func modelRewrite() throws {
        let body = #"{"model":"alias","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}"#
        let output = try upstream(body, from: .anthropic, to: .anthropic)
        #expect(output == replacingModel(try json(body), with: "upstream-model"))
        let responses = try upstream(
            #"{"model":"alias","input":"hi","stream":true}"#,
            from: .openaiResponses,
            to: .openaiResponses
        )
        #expect(responses["model"] == "upstream-model")
        #expect(responses["stream_options"] == nil)
    }

    @Test("An OpenAI stream gets include_usage, keeping other stream options")
    func includeUsageAdded() throws {
        let body =
            #"{"model":"alias","stream":true,"messages":[],"#
            + #""stream_options":{"include_obfuscation":false}}"#
        let output = try upstream(body, from: .openai, to: .openai)
        #expect(output["stream_options"] == ["include_obfuscation": false, "include_usage": true])
        #expect(output["model"] == "upstream-model")
    }

    @Test("A non-streaming OpenAI request gets no stream options")
    func noStreamOptionsWithoutStream() throws {
        let output = try upstream(#"{"model":"alias","messages":[]}"#, from: .openai, to: .openai)
        #expect(output["stream_options"] == nil)
    }

    @Test("Gemini bodies are sent unchanged")
    func geminiUnchanged() throws {
        let body = #"{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}"#
        #expect(try upstream(body, from: .gemini, to: .gemini, pathModel: "g") == (try json(body)))
    }

    @Test("Pairs other than openai ⇄ anthropic are refused with a clear message")
    func unsupportedPair() throws {
        let request = try ClientRequest.parse(
            Array(#"{"model":"m","input":"hi"}"#.utf8),
            protocol: .openaiResponses
        )
        #expect(throws: WireError.unsupportedPair(client: .openaiResponses, provider: .anthropic)) {
            try request.upstreamBody(providerProtocol: .anthropic, upstreamModel: "x")
        }
        let error = WireError.unsupportedPair(client: .openaiResponses, provider: .anthropic)
        #expect(
            error.description
                == "cannot serve openai-responses requests from anthropic providers: "
                + "only openai ⇄ anthropic are translated"
        )
    }
}

/// An object with its model replaced.
private func replacingModel(_ value: JSONValue, with model: String) -> JSONValue {
    guard var members = value.objectValue else { return value }
    members["model"] = .string(model)
    return .object(members)
}
