import Foundation
import Hummingbird
import HummingbirdTesting
import LLMWire
import TestServers
import Testing

@testable import LurusGateway
@testable import LurusProvider

/// `GET /v1/catalog`: the gateway's own types read it; ETag and 304; a change in the next answer,
/// across replicas through Redis, and Redis down never fails it.
@Suite("Provider catalog", .timeLimit(.minutes(2)))
struct CatalogTests {
    static let model: JSONValue = [
        "provider": "alpha", "name": "gpt-4o-mini", "upstream": "gpt-4o-mini-2024-07-18", "aliases": ["mini"],
        "price": ["input": 0.15, "output": 0.6, "cache_read": 0.075, "cache_write": 0],
    ]

    static func catalog(
        _ client: some TestClientProtocol,
        ifNoneMatch: String? = nil
    ) async throws
        -> (status: HTTPResponse.Status, etag: String?, body: ByteBuffer)
    {
        var headers: HTTPFields = [:]
        if let ifNoneMatch { headers[.ifNoneMatch] = ifNoneMatch }
        return try await client.execute(uri: "/v1/catalog", method: .get, headers: headers) { response in
            (response.status, response.headers[.eTag], response.body)
        }
    }

    @Test("the catalog is what the gateway's CatalogDocument and ProviderCatalog read; ETag, 304, changes seen at once")
    func shapeAndVersions() async throws {
        let postgres = try await PostgresServerProcess.start()
        try await TestService.run(try TestService.settings(postgres: postgres)) { service in
            try await Application(responder: service.responder).test(.router) { client in
                let empty = try await Self.catalog(client)
                #expect(empty.status == .ok)
                #expect(empty.etag == "\"1\"")
                #expect(String(buffer: empty.body) == #"{"providers":[],"version":1}"#)

                try await TestService.call(client, .post, "/api/v1/providers", TestService.alpha)
                try await TestService.call(client, .post, "/api/v1/models", Self.model)
                try await TestService.call(
                    client,
                    .post,
                    "/api/v1/providers",
                    TestService.alpha.merged(with: ["name": "off", "enabled": false])
                )
                try await TestService.call(
                    client,
                    .post,
                    "/api/v1/models",
                    Self.model.merged(with: ["name": "hidden", "aliases": [], "enabled": false])
                )

                let answer = try await Self.catalog(client)
                #expect(answer.etag == "\"5\"")
                // The gateway's decoder, and its loader with the key variable set on its host.
                let data = Data(buffer: answer.body)
                let document = try CatalogDocument.decode(data, source: "test")
                #expect(document.providers.map(\.name) == ["alpha"], "disabled providers are left out")
                let entry = try #require(document.providers.first)
                #expect(entry.protocol == .openai && entry.baseUrl == "https://api.alpha.example/v1")
                #expect(entry.apiKeyEnv == "ALPHA_KEY" && entry.apiKeyFile == nil)
                #expect(entry.priority == 10 && entry.weight == 2)
                #expect(entry.models.map(\.name) == ["gpt-4o-mini"], "disabled models are left out")
                #expect(entry.models.first?.upstream == "gpt-4o-mini-2024-07-18")
                #expect(entry.models.first?.aliases == ["mini"])
                #expect(
                    entry.models.first?.price == ModelPrice(input: 0.15, output: 0.6, cacheRead: 0.075, cacheWrite: 0)
                )
                let catalog = try ProviderCatalog.load(data, source: "test", environment: ["ALPHA_KEY": "sk-test"])
                #expect(catalog.candidates(for: "mini").map(\.upstreamModel) == ["gpt-4o-mini-2024-07-18"])
                #expect(try JSONValue.parse(answer.body.readableBytesView)["version"] == 5)

                let unchanged = try await Self.catalog(client, ifNoneMatch: "\"5\"")
                #expect(unchanged.status == .notModified)
                #expect(unchanged.body.readableBytes == 0)
                #expect(unchanged.etag == "\"5\"")
                #expect(try await Self.catalog(client, ifNoneMatch: "W/\"4\", \"5\"").status == .notModified)
                #expect(try await Self.catalog(client, ifNoneMatch: "\"4\"").status == .ok)

                try await TestService.call(
                    client,
                    .patch,
                    "/api/v1/providers/alpha",
                    ["base_url": "https://eu.alpha.example"]
                )
                let next = try await Self.catalog(client, ifNoneMatch: "\"5\"")
                #expect(next.status == .ok)
                #expect(next.etag == "\"6\"")
                #expect(
                    try CatalogDocument.decode(Data(buffer: next.body), source: "t").providers.first?.baseUrl
                        == "https://eu.alpha.example"
                )
            }
        }
    }

    @Test("two replicas sharing Redis: a change on one is in the other's next answer; Redis stopped, both still answer")
    func redisAcrossReplicas() async throws {
        let postgres = try await PostgresServerProcess.start()
        let redis = try await RedisServerProcess.start()
        let settings = try TestService.settings(postgres: postgres, redis: redis)
        try await TestService.run(settings) { first in
            try await TestService.run(settings) { second in
                for service in [first, second] {
                    try await Self.waitUntil { await service.cache.redisState.contains("subscribed") }
                }
                try await Application(responder: first.responder).test(.router) { one in
                    try await Application(responder: second.responder).test(.router) { two in
                        #expect(try await Self.catalog(two).etag == "\"1\"")
                        #expect(try await second.cache.current().source == .memory)
                        try await TestService.call(one, .post, "/api/v1/providers", TestService.alpha)
                        // The other replica's memory copy is trusted for 30 s while it listens: only
                        // the invalidation it heard can make it answer the new version this soon.
                        let clock = ContinuousClock()
                        let started = clock.now
                        try await Self.waitUntil { try await Self.catalog(two).etag == "\"2\"" }
                        #expect(clock.now - started < .seconds(10), "well inside the 30 s the memory copy is trusted")
                        // The first replica's answer was put in Redis: a third reader gets it from there.
                        _ = try await Self.catalog(one)
                        await second.cache.drop(minimumVersion: nil)
                        #expect(try await second.cache.current().source == .redis)

                        redis.stop()
                        try await TestService.call(one, .post, "/api/v1/models", Self.model)
                        for client in [one, two] as [any TestClientProtocol] {
                            try await Self.waitUntil { try await Self.catalog(client).etag == "\"3\"" }
                            let answer = try await Self.catalog(client)
                            #expect(answer.status == .ok)
                            #expect(
                                try CatalogDocument.decode(Data(buffer: answer.body), source: "t").providers.first?
                                    .models.count == 1
                            )
                        }
                        #expect(await first.cache.redisState.hasPrefix("down"))
                    }
                }
            }
        }
    }

    /// Polls `condition` every 50 ms for up to 5 s; fails the test when it never holds.
    static func waitUntil(_ condition: () async throws -> Bool) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(5)
        while clock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the condition did not hold within 5 s")
    }
}
