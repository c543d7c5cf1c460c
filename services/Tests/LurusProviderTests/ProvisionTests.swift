import Foundation
import Hummingbird
import HummingbirdTesting
import LLMWire
import LurusServiceKit
import TestServers
import Testing

@testable import LurusGateway
@testable import LurusProvider

/// The catalog provision file: the gateway's catalog format, validated as the admin API validates, applied
/// at start by creating only what is missing.
@Suite("Provider catalog provisioning", .timeLimit(.minutes(2)))
struct ProvisionTests {
    /// The repository's `inventory/lab/catalog.json`: what `lurusctl` gives the lab's provider service.
    static let labCatalog = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../inventory/lab/catalog.json").standardizedFileURL.path

    static let twoProviders: JSONValue = [
        "providers": [
            [
                "name": "alpha", "protocol": "openai", "base_url": "https://api.alpha.example/v1",
                "api_key_file": "/etc/lurus/gateway/secrets/provider-alpha", "priority": 10, "weight": 2,
                "models": [
                    [
                        "name": "gpt-4o-mini", "upstream": "gpt-4o-mini-2024-07-18", "aliases": ["mini"],
                        "price": ["input": 0.15, "output": 0.6, "cache_read": 0.075],
                    ]
                ],
            ],
            [
                "name": "beta", "protocol": "anthropic", "base_url": "https://api.beta.example",
                "api_key_env": "BETA_KEY",
                "models": [["name": "claude-haiku", "price": ["input": 0.8, "output": 4]], ["name": "claude-free"]],
            ],
        ]
    ]

    static func parse(_ document: JSONValue) throws(StartupError) -> CatalogProvision {
        try CatalogProvision.parse(document.serialized(), source: "catalog.json")
    }

    @Test("the lab's catalog file and the gateway's documented format read as the admin API's inputs")
    func readsTheGatewayFormat() throws {
        let lab = try CatalogProvision.load(file: Self.labCatalog)
        #expect(lab.providers.map(\.name) == ["fake"])
        #expect(lab.providers.first?.key == .file("/etc/lurus/gateway/secrets/provider-fake"))
        #expect(lab.models.map(\.servedNames) == [["lab-model", "gpt-4o-mini"]])
        #expect(lab.models.first?.price == ModelPricing(input: 0.15, output: 0.6))

        let two = try Self.parse(Self.twoProviders)
        #expect(two.providers.map(\.name) == ["alpha", "beta"])
        #expect(two.providers.map(\.priority) == [10, 0])
        #expect(
            two.models.map { "\($0.provider)/\($0.name)" } == [
                "alpha/gpt-4o-mini", "beta/claude-haiku", "beta/claude-free",
            ]
        )
        #expect(two.models.first?.upstream == "gpt-4o-mini-2024-07-18")
        #expect(two.models.first?.price == ModelPricing(input: 0.15, output: 0.6, cacheRead: 0.075))
    }

    @Test(
        "a refused value is named by file and key path",
        arguments: [
            (#"{"providers": {}}"#, "catalog.json: providers: must be an array"),
            (
                #"{"providers": [{"name": "a", "protocol": "openai", "base_url": "ftp://x", "api_key_env": "K"}]}"#,
                "catalog.json: providers[0].base_url: must be an http:// or https:// URL"
            ),
            (
                #"{"providers": [{"name": "a", "protocol": "openai", "base_url": "http://x", "api_key_env": "K", "models": [{"name": "m", "prize": {}}]}]}"#,
                "catalog.json: providers[0].models[0].prize: unknown field"
            ),
            (
                #"{"providers": [{"name": "a", "protocol": "openai", "base_url": "http://x", "api_key_env": "K", "models": [{"name": "m", "price": {"input": -1}}]}]}"#,
                "catalog.json: providers[0].models[0].price.input: must be a number of USD"
            ),
            (
                #"{"providers": [{"name": "a", "protocol": "openai", "base_url": "http://x", "api_key_env": "K", "models": [{"name": "m"}, {"name": "n", "aliases": ["m"]}]}]}"#,
                "catalog.json: providers[0].models[1]: \"m\" is served by another model of a already"
            ),
            (
                #"{"providers": [{"name": "a", "protocol": "openai", "base_url": "http://x", "api_key_env": "K"}, {"name": "a", "protocol": "openai", "base_url": "http://y", "api_key_env": "K"}]}"#,
                "catalog.json: providers[1].name: \"a\" is named twice"
            ),
            (
                #"{"providers": [{"name": "a", "protocol": "openai", "base_url": "http://x"}]}"#,
                "catalog.json: providers[0].api_key_file: one of api_key_file or api_key_env is required"
            ),
            ("{", "catalog.json: not valid JSON: expected a member name at byte 1"),
        ]
    )
    func refusals(text: String, expected: String) {
        #expect {
            try CatalogProvision.parse(Array(text.utf8), source: "catalog.json")
        } throws: { error in
            (error as? StartupError)?.problem.hasPrefix("catalog provision file " + expected) == true
        }
    }

    @Test("a setting naming a file that cannot be read stops the start, naming the setting")
    func unreadableFile() throws {
        #expect {
            try ProviderConfiguration(
                settings: Settings(values: [
                    "catalog.provisionFile": "/nonexistent/catalog.json",
                    "admin.tokenSha256": String(repeating: "a", count: 64),
                ])
            )
        } throws: { error in
            "\(error)".contains("/nonexistent/catalog.json cannot be read")
                && "\(error)".contains("CATALOG_PROVISION_FILE")
        }
    }

    @Test(
        "applied at start: created once, audited, served as the file says; restarts change nothing; admin edits survive; new entries are added"
    )
    func appliedAtStart() async throws {
        let postgres = try await PostgresServerProcess.start()
        let file = try TestService.secretFile(String(decoding: Self.twoProviders.serialized(), as: UTF8.self))
        let settings = try TestService.settings(postgres: postgres, extra: ["catalog.provisionFile": file])
        try await TestService.run(settings) { service async throws in
            try await Application(responder: service.responder).test(.router) { client in
                let answer = try await CatalogTests.catalog(client)
                #expect(answer.etag == "\"6\"", "two providers and three models, one version each")
                let document = try CatalogDocument.decode(Data(buffer: answer.body), source: "test")
                #expect(document.providers.map(\.name) == ["alpha", "beta"])
                #expect(document.providers.first?.apiKeyFile == "/etc/lurus/gateway/secrets/provider-alpha")
                #expect(document.providers.last?.models.map(\.name) == ["claude-free", "claude-haiku"])
                let changes = try await TestService.call(client, .get, "/api/v1/changes")
                guard case .array(let rows)? = changes.body["changes"] else {
                    Issue.record("no changes listed: \(changes.body)")
                    return
                }
                #expect(rows.count == 5)
                #expect(
                    rows.allSatisfy { $0["who"] == .string(ProviderStore.provisionActor) && $0["action"] == "create" }
                )
                // An operator's edit of a provisioned provider.
                let patched = try await TestService.call(client, .patch, "/api/v1/providers/alpha", ["priority": 99])
                #expect(patched.status == .ok)
            }
        }
        // A restart (a second replica, a redeploy) with the same file changes nothing, keeps the edit.
        try await TestService.run(settings) { service async throws in
            #expect(try await service.store.version() == 7)
            #expect(try await service.store.provider(named: "alpha")?.input.priority == 99)
        }
        // An entry added to the file is created on the next start; the others are left alone.
        var grown = Self.twoProviders
        if case .object(var top) = grown, case .array(var providers)? = top["providers"],
            case .object(var beta) = providers[1], case .array(var models)? = beta["models"]
        {
            models.append(["name": "claude-new"])
            beta["models"] = .array(models)
            providers[1] = .object(beta)
            top["providers"] = .array(providers)
            grown = .object(top)
        }
        try Data(grown.serialized()).write(to: URL(fileURLWithPath: file))
        try await TestService.run(settings) { service async throws in
            #expect(try await service.store.version() == 8)
            #expect(
                try await service.store.models(provider: "beta").map(\.input.name).sorted() == [
                    "claude-free", "claude-haiku", "claude-new",
                ]
            )
            #expect(try await service.store.provider(named: "alpha")?.input.priority == 99)
        }
    }

    @Test("replicas starting at once create each entry once")
    func concurrentStarts() async throws {
        let postgres = try await PostgresServerProcess.start()
        let file = try TestService.secretFile(String(decoding: Self.twoProviders.serialized(), as: UTF8.self))
        let settings = try TestService.settings(postgres: postgres, extra: ["catalog.provisionFile": file])
        try await TestService.run(settings) { first async throws in
            // The first one migrated and provisioned; wipe what it made so that four replicas race for it.
            try await first.postgres.query("TRUNCATE providers CASCADE", logger: TestService.logger)
            let provision = try #require(first.configuration.provision)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 { group.addTask { _ = try await first.store.provision(provision) } }
                try await group.waitForAll()
            }
            #expect(try await first.store.providers().map(\.input.name) == ["alpha", "beta"])
            #expect(try await first.store.models(provider: nil).count == 3)
        }
    }
}
