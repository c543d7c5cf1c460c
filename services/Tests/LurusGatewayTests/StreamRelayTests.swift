import LLMWire
import Testing

@testable import LurusGateway

@Suite struct StreamRelayTests {
    static let openAIStream = """
        data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}

        data: {"choices":[{"index":0,"delta":{"content":"Hi"}}]}

        data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}

        data: {"choices":[],"usage":{"prompt_tokens":15,"completion_tokens":1,"prompt_tokens_details":{"cached_tokens":3}}}

        data: [DONE]


        """

    static func request(_ wire: APIProtocol, wantsUsage: Bool) -> ClientRequest {
        ClientRequest(clientProtocol: wire, model: "m", stream: true, body: [:], clientWantsUsageChunk: wantsUsage)
    }

    @Test func theUsageChunkIsStrippedUnlessAskedForButAlwaysCounted() throws {
        for wantsUsage in [false, true] {
            var relay = try StreamRelay(
                request: Self.request(.openai, wantsUsage: wantsUsage),
                providerProtocol: .openai
            )
            let output = String(decoding: relay.consume(Array(Self.openAIStream.utf8)).output, as: UTF8.self)
            #expect(output.contains(#""usage""#) == wantsUsage)
            #expect(output.hasSuffix("data: [DONE]\n\n"))
            #expect(relay.usage == TokenUsage(inputTokens: 12, outputTokens: 1, cacheReadTokens: 3))
            #expect(relay.sawContent && relay.sawEnd)
        }
    }

    @Test func bytesPassThroughUnchangedForTheSameProtocol() throws {
        var relay = try StreamRelay(request: Self.request(.openai, wantsUsage: true), providerProtocol: .openai)
        var output: [UInt8] = []
        // Split at an awkward place: the relay must not lose or reorder bytes.
        let bytes = Array(Self.openAIStream.utf8)
        output += relay.consume(bytes[..<37]).output
        output += relay.consume(bytes[37...]).output
        output += relay.finish().output
        #expect(output == bytes)
    }

    @Test func anErrorBeforeContentIsHeldBack() throws {
        var relay = try StreamRelay(request: Self.request(.anthropic, wantsUsage: false), providerProtocol: .anthropic)
        let stream = """
            event: message_start
            data: {"type":"message_start","message":{"usage":{"input_tokens":12,"output_tokens":1}}}

            event: error
            data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}


            """
        let step = relay.consume(Array(stream.utf8))
        #expect(step.output.isEmpty)
        #expect(step.errorBeforeContent?.isOverload == true)
    }

    @Test func anAnthropicClientGetsAnthropicEventsFromAnOpenAIProvider() throws {
        var relay = try StreamRelay(request: Self.request(.anthropic, wantsUsage: false), providerProtocol: .openai)
        var output = relay.consume(Array(Self.openAIStream.utf8)).output
        output += relay.finish().output
        #expect(relay.finish().output.isEmpty)
        var parser = ServerSentEventParser()
        let names = parser.feed(output).compactMap(\.event)
        #expect(names.first == "message_start")
        #expect(names.contains("content_block_delta"))
        #expect(names.last == "message_stop")
    }
}
