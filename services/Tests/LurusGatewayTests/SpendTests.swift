import Foundation
import LLMWire
import LurusServiceKit
import Testing

@testable import LurusGateway

/// What the gateway holds before forwarding, what billing's verdicts become for the client, and a
/// catalog that leaves out a provider whose key this host cannot read instead of freezing.
@Suite struct SpendTests {
    static let catalog = #"""
        {"providers": [
          {"name": "cheap", "protocol": "openai", "base_url": "http://a.example/v1", "api_key_env": "A",
           "models": [{"name": "m", "price": {"input": 1, "output": 2}}]},
          {"name": "dear", "protocol": "openai", "base_url": "http://b.example/v1", "api_key_env": "B",
           "models": [{"name": "m", "price": {"input": 3, "output": 15, "cache_write": 3.75}}]}]}
        """#

    @Test func theHoldIsTheDearestCandidatesMostForTheRequestsLimit() throws {
        let catalog = try ProviderCatalog.load(Data(Self.catalog.utf8), source: "t", environment: ["A": "a", "B": "b"])
        let body = Array(#"{"model":"m","max_tokens":100,"messages":[{"role":"user","content":"hi"}]}"#.utf8)
        let request = try ClientRequest.parse(body, protocol: .openai, pathModel: nil, streamRoute: false)
        // (bytes/3 + 1) input tokens at max(3, 3.75) plus 100 output tokens at 15, in micro-dollars.
        let inputTokens = Double(body.count / 3 + 1)
        let expected = Int64((inputTokens * 3.75 + 100 * 15).rounded(.up))
        #expect(
            SpendEstimate.micros(
                bodyBytes: body.count,
                request: request,
                candidates: catalog.candidates(for: "m"),
                defaultOutputTokens: 4096
            )
                == expected
        )
        let unlimited = try ClientRequest.parse(
            Array(#"{"model":"m","messages":[]}"#.utf8),
            protocol: .openai,
            pathModel: nil,
            streamRoute: false
        )
        #expect(
            SpendEstimate.micros(
                bodyBytes: 30,
                request: unlimited,
                candidates: catalog.candidates(for: "m"),
                defaultOutputTokens: 4096
            ) == Int64((11 * 3.75 + 4096 * 15).rounded(.up))
        )
        #expect(SpendEstimate.outputLimit(["generationConfig": ["maxOutputTokens": 77]]) == 77)
        #expect(SpendEstimate.outputLimit(["max_completion_tokens": 9]) == 9)
        #expect(SpendEstimate.outputLimit(["max_tokens": 0]) == nil)
    }

    @Test func verdictsBecomeTheClientsOwnErrors() {
        #expect(ReservationAnswer.of(verdict: "reserved") == .allowed)
        #expect(ReservationAnswer.of(verdict: "settled") == .allowed)
        guard case .refused(.insufficientBalance, let message) = ReservationAnswer.of(verdict: "insufficient_balance")
        else {
            Issue.record("not a 402")
            return
        }
        #expect(message.contains("balance"))
        guard case .refused(.insufficientBalance, _) = ReservationAnswer.of(verdict: "over_budget"),
            case .refused(.rateLimited, _) = ReservationAnswer.of(verdict: "rate_limited"),
            case .refused(.authentication, _) = ReservationAnswer.of(verdict: "revoked"),
            case .unavailable = ReservationAnswer.of(verdict: "maybe")
        else {
            Issue.record("a verdict maps to the wrong error")
            return
        }
    }

    @Test func aProviderWhoseKeyCannotBeReadHereIsLeftOutNotTheWholeCatalog() throws {
        let catalog = try ProviderCatalog.load(
            Data(Self.catalog.utf8),
            source: "provider service",
            environment: ["A": "a"],
            skipUnreadableKeys: true
        )
        #expect(catalog.providers.map(\.name) == ["cheap"])
        #expect(catalog.skipped == ["dear: providers[1].api_key_env: B is not set in the gateway's environment"])
        // Strict for the operator's own file, and never an empty catalog.
        #expect(throws: CatalogError.self) {
            try ProviderCatalog.load(Data(Self.catalog.utf8), source: "catalog.json", environment: ["A": "a"])
        }
        #expect(throws: CatalogError.self) {
            try ProviderCatalog.load(
                Data(Self.catalog.utf8),
                source: "provider service",
                environment: [:],
                skipUnreadableKeys: true
            )
        }
    }

    @Test func billingsKeyListIsReadLikeTheKeysFile() throws {
        let keys = try ClientKeys.decode(
            Data(#"{"keys":[{"id":"key_1","sha256":"\#(String(repeating: "ab", count: 32))"}],"version":"x"}"#.utf8),
            source: "billing"
        )
        #expect(keys.count == 1)
        #expect(throws: StartupError.self) {
            try ClientKeys.decode(Data(#"{"keys":[{"id":"k","sha256":"zz"}]}"#.utf8), source: "billing")
        }
    }
}
