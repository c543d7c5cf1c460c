import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import LLMTestSupport
import Testing

@testable import LurusGateway

/// A provider's answer read through `UpstreamStream`, against the fake upstream served live.
@Suite struct UpstreamStreamTests {
    /// Runs `body` with an upstream client and the candidate for provider "alpha" (OpenAI chat).
    func withUpstream(
        _ body: @escaping @Sendable (UpstreamClient, Candidate, FakeUpstreamState) async throws -> Void
    ) async throws {
        let state = FakeUpstreamState()
        let fake = Application(router: FakeUpstream.buildRouter(state: state))
        try await fake.test(.live) { fakeClient in
            let port = try #require(fakeClient.port)
            let catalog = try ProviderCatalog.load(
                Data(
                    """
                    {"providers": [{"name": "alpha", "protocol": "openai",
                      "base_url": "http://127.0.0.1:\(port)/p/alpha/v1", "api_key_env": "K",
                      "models": [{"name": "gpt-test"}]}]}
                    """.utf8
                ),
                source: "test",
                environment: ["K": "sk-provider-secret"]
            )
            let candidate = try #require(catalog.candidates(for: "gpt-test").first)
            let clients = LoopLocalClients(configuration: .init())
            do {
                try await body(UpstreamClient(clients: clients, tracer: nil), candidate, state)
            } catch {
                await clients.shutdown()
                throw error
            }
            await clients.shutdown()
        }
    }

    static let streamBody = Array(#"{"model":"gpt-test","stream":true,"messages":[]}"#.utf8)

    /// Waits until the fake's last request ended as `outcome`.
    static func waitForOutcome(_ outcome: String, _ state: FakeUpstreamState) async throws {
        for _ in 0..<500 where state.records.last?.outcome != outcome {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(state.records.last?.outcome == outcome)
    }

    @Test("What arrived while the reader was away comes out in one take")
    func gathersWhileAway() async throws {
        try await self.withUpstream { upstream, candidate, state in
            state.script("alpha", [FakeStep(kind: .ok, chunks: 6)])
            let answer = try await upstream.send(candidate, body: Self.streamBody, stream: true, requestID: "req_1")
            #expect(answer.status == 200)
            try await Self.waitForOutcome("complete", state)
            try await Task.sleep(for: .milliseconds(200))
            let first = try #require(try await answer.body.next())
            let text = String(buffer: first)
            // The preamble, six pieces, the finish chunk and [DONE]: nine events in one buffer.
            #expect(text.components(separatedBy: "data: ").count - 1 == 9)
            #expect(text.hasSuffix("data: [DONE]\n\n"))
            #expect(try await answer.body.next() == nil)
        }
    }

    @Test("An answer past the limit is refused and the provider's request dropped")
    func refusesPastTheLimit() async throws {
        try await self.withUpstream { upstream, candidate, state in
            state.script("alpha", [FakeStep(kind: .ok, chunks: 400, delayMs: 5)])
            let answer = try await upstream.send(candidate, body: Self.streamBody, stream: true, requestID: "req_2")
            await #expect(throws: AnswerTooLarge.self) { try await answer.body.collect(upTo: 4096) }
            try await Self.waitForOutcome("client_closed", state)
        }
    }

    @Test("Cancelling a waiting reader's task drops the provider's request")
    func cancelledReaderDropsTheRequest() async throws {
        try await self.withUpstream { upstream, candidate, state in
            state.script("alpha", [FakeStep(kind: .ok, chunks: 400, delayMs: 20)])
            let answer = try await upstream.send(candidate, body: Self.streamBody, stream: true, requestID: "req_3")
            let reader = Task {
                while try await answer.body.next() != nil {}
            }
            try await Task.sleep(for: .milliseconds(100))
            reader.cancel()
            await #expect(throws: (any Error).self) { try await reader.value }
            try await Self.waitForOutcome("client_closed", state)
        }
    }

    @Test("An answer larger than the high-water mark arrives whole after the connection pauses")
    func pausesAndResumes() async throws {
        try await self.withUpstream { upstream, candidate, state in
            let pieces = 200
            state.script("alpha", [FakeStep(kind: .ok, chunks: pieces)])
            let request = try HTTPClient.Request(
                url: candidate.provider.baseURL + "/chat/completions",
                method: .POST,
                body: .bytes(Self.streamBody)
            )
            let answer = UpstreamStream(span: nil, highWater: 4096)
            answer.attach(upstream.clients.current.execute(request: request, delegate: answer, eventLoop: .indifferent))
            #expect(try await answer.head().status == .ok)
            // The reader stays away while more than the high-water mark gathers.
            try await Task.sleep(for: .milliseconds(300))
            let all = String(buffer: try await answer.collect(upTo: 64 << 20))
            #expect(all.utf8.count > 8 * answer.highWater)
            #expect(all.components(separatedBy: "data: ").count - 1 == pieces + 3)
            #expect(all.hasSuffix("data: [DONE]\n\n"))
            #expect(state.records.last?.outcome == "complete")
        }
    }
}
