import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import LLMWire
import TestServers
import Testing

@testable import LurusGateway
@testable import LurusProvider

/// The service on a real port: the gateway's own catalog client reads it, and /health and /metrics
/// answer as operators expect.
@Suite("Provider service, live", .timeLimit(.minutes(2)))
struct LiveServiceTests {
    @Test("the gateway's CatalogSource loads the live catalog; /health reports the checks; /metrics counts answers")
    func live() async throws {
        let postgres = try await PostgresServerProcess.start()
        let keyFile = try TestService.secretFile("sk-live-test")
        try await TestService.run(try TestService.settings(postgres: postgres)) { service in
            let app = Application(
                responder: service.responder,
                configuration: .init(address: .hostname("127.0.0.1", port: 0))
            )
            try await app.test(.live) { client in
                let provider = TestService.alpha.merged(with: ["api_key_env": .null, "api_key_file": .string(keyFile)])
                #expect(try await TestService.call(client, .post, "/api/v1/providers", provider).status == .created)
                #expect(
                    try await TestService.call(client, .post, "/api/v1/models", CatalogTests.model).status == .created
                )

                let port = try #require(client.port)
                let source = CatalogSource(
                    serviceURL: URL(string: "http://127.0.0.1:\(port)"),
                    file: nil,
                    httpClient: .shared
                )
                let catalog = try await source.fromService()
                let candidate = try #require(catalog.candidates(for: "mini").first)
                #expect(candidate.provider.name == "alpha")
                #expect(candidate.provider.apiKey.value == "sk-live-test", "the gateway read the key file itself")
                #expect(candidate.price.output == 0.6)

                try await client.execute(uri: "/health", method: .get) { response in
                    #expect(response.status == .ok)
                    let health = try TestService.json(response.body)
                    #expect(health["status"] == "ok")
                    #expect(health["checks"]?["database"]?["ok"] == true)
                    #expect(health["checks"]?["migrations"]?["ok"] == true)
                    #expect(health["checks"]?["redis"]?["detail"] == "not configured")
                    #expect(health["checks"]?["usage_events"]?["detail"] == "NATS not configured: no passive health")
                }
                try await client.execute(uri: "/metrics", method: .get) { response in
                    let text = String(buffer: response.body)
                    #expect(text.contains("lurus_provider_catalog_answers_total{source=\"database\"} 1"))
                    #expect(text.contains("lurus_provider_changes_total 2"))
                }
            }
        }
    }
}
