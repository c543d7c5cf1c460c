import Foundation
import LLMWire
import Testing

@testable import LurusProvider

/// The pure parts, without a server: input validation and patches, catalog rendering, entity tags
/// and the Redis form of a snapshot.
@Suite("Provider pure decisions")
struct PureDecisionTests {
    static let provider = ProviderInput(
        name: "alpha",
        protocol: "openai",
        baseURL: "https://a.example",
        key: .environment("ALPHA_KEY"),
        priority: 1
    )

    @Test("a patch merges over the current input; a key reference replaces the other; null removes")
    func patches() throws {
        let patched = try ProviderInput.patched(Self.provider, with: ["api_key_file": "/k", "priority": 7])
        #expect(patched.key == .file("/k"))
        #expect(patched.priority == 7 && patched.name == "alpha")
        #expect(throws: APIError.invalid("nickname", "unknown field")) {
            try ProviderInput.patched(Self.provider, with: ["nickname": "a"])
        }
        let model = ModelInput(provider: "alpha", name: "m", aliases: ["a"], price: .init(input: 1, output: 2))
        let repriced = try ModelInput.patched(model, with: ["price": ["output": 3], "aliases": .null])
        #expect(repriced.price == ModelPricing(input: 1, output: 3))
        #expect(repriced.aliases.isEmpty)
        #expect(throws: APIError.invalid("price.discount", "unknown field")) {
            try ModelInput.patched(model, with: ["price": ["discount": 1]])
        }
        #expect(throws: APIError.invalid("aliases[1]", "\"a\" is the model's name or another alias already")) {
            try ModelInput(json: ["provider": "alpha", "name": "m", "aliases": ["a", "a"]])
        }
        #expect(throws: APIError.invalid("api_key_file", "must be an absolute path to a file on the gateway's host")) {
            try ProviderInput.patched(Self.provider, with: ["api_key_file": "/etc/../k"])
        }
    }

    @Test("rendering keeps enabled entries only, highest priority first, with sorted keys")
    func rendering() throws {
        let now = Date(timeIntervalSince1970: 0)
        var low = Self.provider
        low.name = "beta"
        low.priority = 0
        var off = Self.provider
        off.name = "gamma"
        off.enabled = false
        let contents = CatalogContents(
            version: 9,
            providers: [low, Self.provider, off].enumerated().map {
                ProviderRecord(id: $0.offset, input: $0.element, createdAt: now, updatedAt: now)
            },
            models: [
                ModelRecord(id: 1, input: ModelInput(provider: "alpha", name: "z"), createdAt: now, updatedAt: now),
                ModelRecord(
                    id: 2,
                    input: ModelInput(provider: "alpha", name: "off", enabled: false),
                    createdAt: now,
                    updatedAt: now
                ),
                ModelRecord(id: 3, input: ModelInput(provider: "gamma", name: "g"), createdAt: now, updatedAt: now),
            ]
        )
        let snapshot = CatalogRenderer.render(contents)
        let body = try JSONValue.parse(snapshot.body)
        guard case .array(let providers)? = body["providers"] else {
            Issue.record("no providers in \(body)")
            return
        }
        #expect(providers.map { $0["name"]?.stringValue ?? "" } == ["alpha", "beta"])
        #expect(
            providers[0]["models"] == [["name": "z", "upstream": "z", "aliases": [], "price": ModelPricing().json]]
        )
        #expect(body["version"] == 9)
        #expect(String(decoding: snapshot.body, as: UTF8.self).hasPrefix(#"{"providers":[{"api_key_env":"ALPHA_KEY""#))
    }

    @Test("entity tags: exact, weak, lists and * match; the Redis form round-trips")
    func tagsAndCacheForm() {
        let snapshot = CatalogSnapshot(version: 42, body: Array("{}".utf8))
        #expect(snapshot.etag == "\"42\"")
        for header in ["\"42\"", "W/\"42\"", "\"1\", \"42\"", "*"] {
            #expect(snapshot.isMatched(byIfNoneMatch: header), "\(header)")
        }
        for header in [nil, "", "\"41\"", "42"] as [String?] {
            #expect(!snapshot.isMatched(byIfNoneMatch: header), "\(header ?? "nil")")
        }
        #expect(CatalogSnapshot(cacheValue: snapshot.cacheValue) == snapshot)
        #expect(CatalogSnapshot(cacheValue: Array("garbage".utf8)) == nil)
    }
}
