import Foundation
import Hummingbird
import HummingbirdTesting
import LLMTestSupport
import LLMWire
import Logging
import LurusEvents
import Synchronization
import Testing

@testable import LurusGateway

/// The gateway's router against the fake upstream served live on a free port.
@Suite struct GatewayRouterTests {
    final class Records: Sendable {
        let list = Mutex<[UsageRecord]>([])
        func add(_ record: UsageRecord) { self.list.withLock { $0.append(record) } }
        var all: [UsageRecord] { self.list.withLock { $0 } }
    }

    static let clientKey = "sk-router-test"

    /// Runs `body` with a gateway router whose catalog points at a live fake upstream.
    func withGateway(
        _ body: @escaping @Sendable (any TestClientProtocol, FakeUpstreamState, Records) async throws -> Void
    ) async throws {
        let state = FakeUpstreamState()
        let fake = Application(router: FakeUpstream.buildRouter(state: state))
        try await fake.test(.live) { fakeClient in
            let port = try #require(fakeClient.port)
            let catalog = """
                {"providers": [
                  {"name": "alpha", "protocol": "openai", "base_url": "http://127.0.0.1:\(port)/p/alpha/v1",
                   "api_key_env": "K", "priority": 2, "models": [{"name": "gpt-test"}]},
                  {"name": "beta", "protocol": "anthropic", "base_url": "http://127.0.0.1:\(port)/p/beta",
                   "api_key_env": "K", "priority": 1, "models": [{"name": "gpt-test"}]}]}
                """
            let store = CatalogStore(
                try ProviderCatalog.load(Data(catalog.utf8), source: "test", environment: ["K": "sk-provider-secret"])
            )
            let clients = LoopLocalClients(configuration: .init())
            let records = Records()
            let proxy = Proxy(
                catalog: store,
                cooldowns: Cooldowns(),
                upstream: UpstreamClient(clients: clients, tracer: nil),
                credit: CreditLeases(
                    billing: Reservations(serviceURL: nil, clients: clients, timeout: .seconds(1)),
                    policy: LeasePolicy(),
                    logger: Logger(label: "test")
                ),
                billingSkipCheck: true,
                defaultOutputTokens: 4096,
                defaultRest: .seconds(30),
                metrics: GatewayMetrics(),
                usageSink: { records.add($0) },
                logger: Logger(label: "test")
            )
            let router = Router()
            GatewayRoutes(
                keys: ClientKeyStore(ClientKeys(hashes: [ClientKeys.hash(Self.clientKey): "team-a"]), source: "test"),
                proxy: proxy,
                bodyLimit: 4096
            ).add(to: router)
            do {
                try await Application(router: router).test(.router) { client in
                    try await body(client, state, records)
                }
            } catch {
                await clients.shutdown()
                throw error
            }
            await clients.shutdown()
        }
    }

    static func chat(stream: Bool) -> ByteBuffer {
        ByteBuffer(string: #"{"model":"gpt-test","stream":\#(stream),"messages":[{"role":"user","content":"hi"}]}"#)
    }

    @Test func aFailedProviderIsSkippedAndTheRecordSaysSo() async throws {
        try await self.withGateway { client, state, records in
            state.script("alpha", [FakeStep(kind: .status, status: 503)])
            let response = try await client.execute(
                uri: "/v1/chat/completions",
                method: .post,
                headers: [.authorization: "Bearer \(Self.clientKey)"],
                body: Self.chat(stream: false)
            )
            #expect(response.status == .ok)
            let answer = try JSONValue.parse(response.body.readableBytesView)
            #expect(answer["choices"]?[0]?["message"]?["content"]?.stringValue == "Hello from beta!")
            let record = try #require(records.all.last)
            #expect(record.provider == "beta" && record.attempts == 2 && record.outcome == .ok)
            #expect(record.inputTokens == 12 && record.cacheReadTokens == 3 && record.cacheWriteTokens == 2)
            // The provider key went upstream in the provider's own header, and nowhere else.
            let beta = try #require(state.records.last)
            #expect(beta.headers["x-api-key"] == "sk-provider-secret")
            #expect(!String(buffer: response.body).contains("sk-provider-secret"))
        }
    }

    @Test func aStreamIsRelayedAndTheUsageChunkStripped() async throws {
        try await self.withGateway { client, state, records in
            let response = try await client.execute(
                uri: "/v1/chat/completions",
                method: .post,
                headers: [.authorization: "Bearer \(Self.clientKey)"],
                body: Self.chat(stream: true)
            )
            let text = String(buffer: response.body)
            #expect(response.headers[.contentType] == "text/event-stream")
            #expect(text.contains(#""content":"alpha""#))
            #expect(!text.contains(#""usage""#))
            #expect(text.hasSuffix("data: [DONE]\n\n"))
            // The gateway asked the provider for the usage chunk and counted it.
            #expect(state.records.last?.body.contains(#""include_usage":true"#) == true)
            #expect(records.all.last?.outputTokens == 4)
            #expect(records.all.last?.ttftMs != nil)
        }
    }

    @Test func badInputGetsTheClientsOwnErrorShape() async throws {
        try await self.withGateway { client, _, records in
            let auth: HTTPFields = [.authorization: "Bearer \(Self.clientKey)"]
            let malformed = try await client.execute(
                uri: "/v1/messages",
                method: .post,
                headers: auth,
                body: ByteBuffer(string: "{not json")
            )
            #expect(malformed.status == .badRequest)
            #expect(try JSONValue.parse(malformed.body.readableBytesView)["type"]?.stringValue == "error")
            let noModel = try await client.execute(
                uri: "/v1/chat/completions",
                method: .post,
                headers: auth,
                body: ByteBuffer(string: "{}")
            )
            #expect(noModel.status == .badRequest)
            #expect(try JSONValue.parse(noModel.body.readableBytesView)["error"]?["message"] != nil)
            let unknown = try await client.execute(
                uri: "/v1beta/models/nope:generateContent",
                method: .post,
                headers: auth,
                body: ByteBuffer(string: #"{"contents":[]}"#)
            )
            #expect(unknown.status == .notFound)
            #expect(try JSONValue.parse(unknown.body.readableBytesView)["error"]?["status"]?.stringValue == "NOT_FOUND")
            let tooLarge = try await client.execute(
                uri: "/v1/chat/completions",
                method: .post,
                headers: auth,
                body: ByteBuffer(string: String(repeating: " ", count: 5000))
            )
            #expect(tooLarge.status == .contentTooLarge)
            let anonymous = try await client.execute(
                uri: "/v1/chat/completions",
                method: .post,
                headers: [:],
                body: Self.chat(stream: false)
            )
            #expect(anonymous.status == .unauthorized)
            // Only the authenticated request for an unknown model is accounted.
            #expect(records.all.map(\.status) == [404])
        }
    }
}
