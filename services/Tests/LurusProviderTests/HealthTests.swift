import Foundation
import Hummingbird
import HummingbirdTesting
import LLMWire
import Logging
import LurusEvents
import LurusNATS
import TestServers
import Testing

@testable import LurusProvider

/// Passive provider health: the window as a pure type, and the `llm.usage` consumer against a real
/// nats-server feeding `GET /api/v1/providers/{name}/health`.
@Suite("Provider health", .timeLimit(.minutes(2)))
struct HealthTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("the window keeps the last events within its span: requests, failure rate, p50/p95")
    func window() {
        var window = HealthWindow(span: 300, maximumEvents: 5)
        #expect(window.summary(now: Self.now).requests == 0)
        #expect(window.summary(now: Self.now).p50LatencyMs == nil)
        for (offset, latency, failed) in [
            (-400.0, 9000.0, true), (-100, 100, false), (-90, 200, true), (-80, 300, false), (-70, 400, false),
        ] {
            window.record(HealthSample(at: Self.now.addingTimeInterval(offset), failed: failed, latencyMs: latency))
        }
        let summary = window.summary(now: Self.now)
        #expect(summary.requests == 4, "the one older than 5 minutes is out")
        #expect(summary.failures == 1)
        #expect(summary.failureRate == 0.25)
        #expect(summary.p50LatencyMs == 200)
        #expect(summary.p95LatencyMs == 400)
        // At most 5 events: the oldest go first; a late (replayed) one is put in order.
        window.record(HealthSample(at: Self.now.addingTimeInterval(-60), failed: true, latencyMs: 500))
        window.record(HealthSample(at: Self.now.addingTimeInterval(-95), failed: false, latencyMs: 150))
        #expect(window.samples.map(\.latencyMs) == [100, 150, 200, 300, 400, 500].suffix(5).map { $0 })
        window.prune(now: Self.now.addingTimeInterval(1000))
        #expect(window.samples.isEmpty)
    }

    static func record(_ index: Int, provider: String?, outcome: Outcome, latency: Double) -> UsageRecord {
        UsageRecord(
            requestId: "req_" + String(format: "%032x", index),
            keyId: "k1",
            platform: "openai",
            provider: provider,
            model: "m",
            upstreamModel: "m",
            status: outcome == .ok ? 200 : 502,
            outcome: outcome,
            error: nil,
            stream: false,
            attempts: 1,
            latencyMs: latency,
            ttftMs: nil,
            inputTokens: 1,
            outputTokens: 1,
            cacheReadTokens: 0,
            cacheWriteTokens: 0,
            costUsd: 0,
            startedAt: Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))
        )
    }

    @Test("llm.usage events published to a real nats-server show in the provider's health, then are acknowledged")
    func consumer() async throws {
        let postgres = try await PostgresServerProcess.start()
        let nats = try await NATSServerProcess.start()
        var natsConfiguration = try NATSConfiguration(url: nats.url)
        natsConfiguration.user = nats.user
        natsConfiguration.password = nats.password
        let publisher = try await NATSClient.connect(natsConfiguration, logger: TestService.logger)
        let jetStream = JetStream(client: publisher)
        _ = try await jetStream.ensureStream(EventStreams.llm)
        try await TestService.run(try TestService.settings(postgres: postgres, nats: nats)) { service in
            try await Application(responder: service.responder).test(.router) { client in
                try await TestService.call(client, .post, "/api/v1/providers", TestService.alpha)
                try await CatalogTests.waitUntil { await service.board.consumerState?.hasPrefix("consuming") == true }
                var records: [UsageRecord] = []
                for index in 0..<10 {
                    let outcome: Outcome = index < 2 ? .upstreamError : (index == 2 ? .streamError : .ok)
                    records.append(
                        Self.record(index, provider: "alpha", outcome: outcome, latency: Double(index + 1) * 100)
                    )
                }
                records.append(Self.record(99, provider: nil, outcome: .refused, latency: 1))
                for record in records {
                    _ = try await jetStream.publish(
                        EventStreams.llmUsageSubject,
                        payload: record.encoded(),
                        messageID: record.requestId
                    )
                }
                // Not on llm.usage: never consumed.
                _ = try await jetStream.publish("llm.other", payload: Array("{}".utf8), messageID: "other-1")
                try await CatalogTests.waitUntil {
                    try await TestService.call(client, .get, "/api/v1/providers/alpha/health").body["requests"] == 10
                }
                let health = try await TestService.call(client, .get, "/api/v1/providers/alpha/health").body
                #expect(health["failures"] == 3)
                #expect(health["failure_rate"]?.doubleValue == 0.3)
                #expect(health["p50_latency_ms"]?.doubleValue == 500)
                #expect(health["p95_latency_ms"]?.doubleValue == 1000)
                let listed = try await TestService.call(client, .get, "/api/v1/providers").body
                #expect(listed["providers"]?[0]?["health"]?["requests"] == 10)
                // The refused event may come in a later fetch than the ten.
                try await CatalogTests.waitUntil { await service.board.processed == 11 }
                #expect(await service.board.processed == 11, "the event without a provider is read, not counted")
                try await CatalogTests.waitUntil {
                    let info = try await jetStream.consumerInfo(stream: "LLM_EVENTS", consumer: "lurus-provider-health")
                    return info?.ackPending == 0 && info?.pending == 0
                }
                let info = try #require(
                    try await jetStream.consumerInfo(stream: "LLM_EVENTS", consumer: "lurus-provider-health")
                )
                #expect(info.configuration.filterSubject == "llm.usage")
                #expect(info.ackFloor.streamSequence >= 11)
            }
        }
        await publisher.close()
    }
}
