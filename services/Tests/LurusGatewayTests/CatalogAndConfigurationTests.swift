import Foundation
import LurusServiceKit
import Testing

@testable import LurusGateway

@Suite struct ProviderCatalogTests {
    static let valid = #"""
        {"providers": [
          {"name": "alpha", "protocol": "openai", "base_url": "http://a.example/v1", "api_key_env": "ALPHA",
           "priority": 1, "models": [{"name": "m1", "upstream": "m1-2024", "aliases": ["fast"],
           "price": {"input": 1, "output": 2, "cache_read": 0.5}}]},
          {"name": "beta", "protocol": "anthropic", "base_url": "http://b.example/", "api_key_env": "BETA",
           "priority": 7, "models": [{"name": "m1"}]}]}
        """#

    func load(_ text: String) throws(CatalogError) -> ProviderCatalog {
        try ProviderCatalog.load(Data(text.utf8), source: "catalog.json", environment: ["ALPHA": "ka", "BETA": "kb"])
    }

    @Test func routesNamesAndAliasesByPriority() throws {
        let catalog = try self.load(Self.valid)
        #expect(catalog.candidates(for: "m1").map(\.provider.name) == ["beta", "alpha"])
        #expect(catalog.candidates(for: "fast").map(\.upstreamModel) == ["m1-2024"])
        #expect(catalog.candidates(for: "nope").isEmpty)
        #expect(catalog.modelNames == ["m1"])
        #expect(catalog.providers[1].baseURL == "http://b.example")
        #expect("\(catalog.providers[0].apiKey)" == "<provider key>")
    }

    @Test(arguments: [
        (#""protocol": "openai""#, #""protocol": "grpc""#, "providers[0].protocol: not one of"),
        (#""api_key_env": "ALPHA""#, #""api_key_env": "MISSING""#, "providers[0].api_key_env: MISSING is not set"),
        (#""base_url": "http://a.example/v1""#, #""base_url": "a.example""#, "providers[0].base_url"),
        (#""name": "beta""#, #""name": "alpha""#, "providers[1].name: \"alpha\" is empty or used twice"),
        (#""name": "m1", "upstream""#, #""upstream""#, "providers[0].models[0].name: missing"),
    ])
    func errorsNameTheKeyPath(original: String, replacement: String, expected: String) {
        let text = Self.valid.replacingOccurrences(of: original, with: replacement)
        #expect(throws: CatalogError.self) { try self.load(text) }
        do throws(CatalogError) {
            _ = try self.load(text)
        } catch {
            #expect(error.description.hasPrefix("provider catalog catalog.json: "))
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }

    @Test func priceCostsPerMillionTokens() {
        let price = ModelPrice(input: 1, output: 2, cacheRead: 0.5)
        #expect(abs(price.cost(of: .init(inputTokens: 12, outputTokens: 4, cacheReadTokens: 2)) - 21e-6) < 1e-12)
    }
}

@Suite struct GatewayConfigurationTests {
    static let minimal: [String: String] = [
        "keys.file": "/etc/keys.json", "catalog.file": "/etc/catalog.json", "nats.url": "nats://brain:4222",
    ]

    func configuration(_ extra: [String: String]) throws(StartupError) -> GatewayConfiguration {
        try GatewayConfiguration(settings: Settings(values: Self.minimal.merging(extra) { _, new in new }))
    }

    @Test func defaults() throws {
        let configuration = try self.configuration([:])
        #expect(configuration.port == 18100)
        #expect(configuration.billingSkipCheck == false)
        #expect(configuration.idleTimeout == .seconds(60))
    }

    @Test(arguments: [
        ("http.port", "abc", "setting http.port is \"abc\" (from environment HTTP_PORT); it must be an integer"),
        ("billing.skipCheck", "maybe", "setting billing.skipCheck is \"maybe\" (from environment BILLING_SKIP_CHECK)"),
        ("billing.service.url", "billing:18103", "it must be an http:// or https:// URL"),
        ("log.level", "loud", "setting log.level is \"loud\""),
    ])
    func badValuesNameTheSetting(key: String, value: String, expected: String) {
        do throws(StartupError) {
            _ = try self.configuration([key: value])
            Issue.record("accepted \(key)=\(value)")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }

    @Test func aCatalogSourceAndKeysAreRequired() {
        var values = Self.minimal
        values["catalog.file"] = nil
        #expect(throws: StartupError.self) { try GatewayConfiguration(settings: Settings(values: values)) }
        values = Self.minimal
        values["keys.file"] = nil
        do throws(StartupError) {
            _ = try GatewayConfiguration(settings: Settings(values: values))
        } catch {
            #expect(error.description.contains("keys.file (KEYS_FILE) is not set"))
        }
    }

    @Test func environmentNames() {
        #expect(Settings.environmentName(of: "billing.skipCheck") == "BILLING_SKIP_CHECK")
        #expect(Settings.environmentName(of: "provider.service.url") == "PROVIDER_SERVICE_URL")
    }
}
