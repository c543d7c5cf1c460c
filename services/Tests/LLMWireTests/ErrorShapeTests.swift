import LLMWire
import Testing

@Suite("Error shapes")
struct ErrorShapeTests {
    @Test("Statuses per kind; overloaded is 529 only for Anthropic")
    func statuses() {
        let expected: [(ErrorKind, Int)] = [
            (.invalidRequest, 400), (.authentication, 401), (.permission, 403),
            (.insufficientBalance, 402),
            (.notFound, 404), (.requestTooLarge, 413), (.rateLimited, 429), (.upstream, 502),
            (.unavailable, 503), (.timeout, 504), (.internalError, 500),
        ]
        for wire in APIProtocol.allCases {
            for (kind, status) in expected {
                #expect(ErrorShape.status(for: kind, protocol: wire) == status)
            }
        }
        #expect(ErrorShape.status(for: .overloaded, protocol: .anthropic) == 529)
        #expect(ErrorShape.status(for: .overloaded, protocol: .openai) == 503)
        #expect(ErrorShape.status(for: .overloaded, protocol: .gemini) == 503)
    }

    @Test("Anthropic body")
    func anthropicBody() throws {
        let body = try json(
            ErrorShape.body(for: .overloaded, message: "busy", protocol: .anthropic)
        )
        #expect(
            body == ["type": "error", "error": ["type": "overloaded_error", "message": "busy"]]
        )
        let invalid = try json(
            ErrorShape.body(for: .invalidRequest, message: "bad", protocol: .anthropic)
        )
        #expect(invalid["error"]?["type"] == "invalid_request_error")
    }

    @Test("OpenAI and Responses bodies")
    func openAIBody() throws {
        for wire in [APIProtocol.openai, .openaiResponses] {
            let body = try json(
                ErrorShape.body(for: .authentication, message: "bad key", protocol: wire)
            )
            let expected: JSONValue = [
                "error": [
                    "message": "bad key", "type": "authentication_error", "param": nil,
                    "code": "invalid_api_key",
                ]
            ]
            #expect(body == expected)
        }
        let internalError = try json(
            ErrorShape.body(for: .internalError, message: "m", protocol: .openai)
        )
        #expect(internalError["error"]?["code"] == .null)
        #expect(internalError["error"]?["type"] == "server_error")
    }

    @Test("Gemini body carries the HTTP status as its code")
    func geminiBody() throws {
        let body = try json(ErrorShape.body(for: .rateLimited, message: "slow", protocol: .gemini))
        #expect(
            body == ["error": ["code": 429, "message": "slow", "status": "RESOURCE_EXHAUSTED"]]
        )
    }

    @Test("Every kind's body parses back as an error of the same protocol")
    func bodiesReadBack() throws {
        for wire in APIProtocol.allCases {
            for kind in ErrorKind.allCases {
                let body = try json(ErrorShape.body(for: kind, message: "why", protocol: wire))
                let error = try #require(ResponseInspection.error(in: body, protocol: wire))
                #expect(error.message == "why")
                #expect(error.isOverload == readsBackAsOverload(kind, wire), "\(kind) in \(wire)")
            }
        }
    }

    @Test("Stream error events in each protocol's form")
    func streamEvents() throws {
        let anthropic = try #require(
            events(ErrorShape.streamEvent(for: .overloaded, message: "m", protocol: .anthropic))
                .first
        )
        #expect(anthropic.event == "error")
        #expect(try json(anthropic.data)["error"]?["type"] == "overloaded_error")

        let openAI = try #require(
            events(ErrorShape.streamEvent(for: .rateLimited, message: "m", protocol: .openai)).first
        )
        #expect(openAI.event == nil)
        #expect(try json(openAI.data)["error"]?["type"] == "rate_limit_exceeded")

        let responses = try #require(
            events(
                ErrorShape.streamEvent(for: .overloaded, message: "m", protocol: .openaiResponses)
            ).first
        )
        #expect(responses.event == "error")
        let expected: JSONValue = [
            "type": "error", "code": "overloaded", "message": "m", "param": nil,
            "sequence_number": 0,
        ]
        #expect(try json(responses.data) == expected)

        let gemini = try #require(
            events(ErrorShape.streamEvent(for: .timeout, message: "m", protocol: .gemini)).first
        )
        #expect(try json(gemini.data)["error"]?["status"] == "DEADLINE_EXCEEDED")
        var tracker = StreamUsageTracker(protocol: .gemini)
        guard case .error(let error) = tracker.observe(gemini) else {
            Issue.record("a Gemini error event should classify as an error")
            return
        }
        #expect(error.type == "DEADLINE_EXCEEDED")
    }

    @Test("Provider errors classify into the kinds the gateway answers with")
    func classification() {
        let anthropic = StreamError(type: "overloaded_error", message: "", isOverload: true)
        #expect(ErrorKind(classifying: anthropic, from: .anthropic) == .overloaded)
        let quota = StreamError(type: "RESOURCE_EXHAUSTED", message: "", isOverload: true)
        #expect(ErrorKind(classifying: quota, from: .gemini) == .rateLimited)
        let auth = StreamError(type: "authentication_error", message: "", isOverload: false)
        #expect(ErrorKind(classifying: auth, from: .anthropic) == .authentication)
        let unknown = StreamError(type: "weird", message: "", isOverload: false)
        #expect(ErrorKind(classifying: unknown, from: .openai) == .upstream)
    }
}

/// Whether a kind's body in `wire` reads back as an overload: Anthropic `overloaded_error`, OpenAI
/// type `server_error`, Gemini `UNAVAILABLE` or `RESOURCE_EXHAUSTED`.
private func readsBackAsOverload(_ kind: ErrorKind, _ wire: APIProtocol) -> Bool {
    switch wire {
    case .anthropic: kind == .overloaded
    case .openai, .openaiResponses:
        [.overloaded, .upstream, .unavailable, .internalError].contains(kind)
    case .gemini: [.overloaded, .unavailable, .rateLimited].contains(kind)
    }
}
