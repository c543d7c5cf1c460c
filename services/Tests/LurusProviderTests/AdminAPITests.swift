import Foundation
import Hummingbird
import HummingbirdTesting
import LLMWire
import TestServers
import Testing

@testable import LurusProvider

/// The admin API against a real PostgreSQL: validation naming fields, conflicts, the audit trail.
@Suite("Provider admin API", .timeLimit(.minutes(2)))
struct AdminAPITests {
    @Test("migrations at start; CRUD with field-named validation errors, 409s, and an audit row per change")
    func crud() async throws {
        let postgres = try await PostgresServerProcess.start()
        try await TestService.run(try TestService.settings(postgres: postgres)) { service in
            try await Application(responder: service.responder).test(.router) { client in
                // No token, a wrong token.
                let anonymous = try await TestService.call(client, .get, "/api/v1/providers", headers: [:])
                #expect(anonymous.status == .unauthorized)
                #expect(anonymous.body["error"]?["message"] == "missing Authorization: Bearer token")
                let wrong = try await TestService.call(
                    client,
                    .get,
                    "/api/v1/providers",
                    headers: [.authorization: "Bearer nope"]
                )
                #expect(wrong.status == .unauthorized)

                let created = try await TestService.call(client, .post, "/api/v1/providers", TestService.alpha)
                #expect(created.status == .created)
                #expect(created.body["name"] == "alpha")
                #expect(created.body["api_key_env"] == "ALPHA_KEY")
                #expect(created.body["health"]?["requests"] == 0)

                // Validation: each refusal names its field.
                let refusals: [(JSONValue, String, String)] = [
                    (
                        TestService.alpha.merged(with: ["name": "beta", "base_url": "ftp://x"]), "base_url",
                        "must be an http:// or https:// URL"
                    ),
                    (TestService.alpha.merged(with: ["name": "beta", "colour": "red"]), "colour", "unknown field"),
                    (
                        TestService.alpha.merged(with: ["name": "beta", "protocol": "soap"]), "protocol",
                        "must be one of anthropic, openai, openai-responses, gemini"
                    ),
                    (
                        TestService.alpha.merged(with: ["name": "beta", "api_key_file": "/etc/k"]), "api_key_env",
                        "give api_key_file or api_key_env, not both"
                    ),
                    (
                        TestService.alpha.merged(with: ["name": "beta", "api_key_env": "lower"]), "api_key_env",
                        "must be an environment variable name ([A-Z_][A-Z0-9_]*)"
                    ),
                    (
                        TestService.alpha.merged(with: ["name": "beta", "weight": 0]), "weight",
                        "must be above 0 (at most 1000000)"
                    ),
                    (
                        TestService.alpha.merged(with: ["name": "Bad Name"]), "name",
                        "must be 1 to 64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit"
                    ),
                ]
                for (body, field, message) in refusals {
                    let answer = try await TestService.call(client, .post, "/api/v1/providers", body)
                    #expect(answer.status == .unprocessableContent, "\(field)")
                    #expect(
                        answer.body == ["error": ["field": .string(field), "message": .string(message)]],
                        "\(field)"
                    )
                }
                let duplicate = try await TestService.call(client, .post, "/api/v1/providers", TestService.alpha)
                #expect(duplicate.status == .conflict)
                #expect(duplicate.body["error"]?["field"] == "name")

                // Models: explicit names, no name or alias served twice within a provider.
                let model: JSONValue = [
                    "provider": "alpha", "name": "gpt-4o-mini", "upstream": "gpt-4o-mini-2024-07-18",
                    "aliases": ["mini"], "price": ["input": 0.15, "output": 0.6, "cache_read": 0.075],
                ]
                let madeModel = try await TestService.call(client, .post, "/api/v1/models", model)
                #expect(madeModel.status == .created)
                #expect(madeModel.body["price"]?["input"] == 0.15)
                #expect(madeModel.body["price"]?["cache_write"] == 0.0)
                let modelID = try #require(madeModel.body["id"]?.intValue)
                let wildcard = try await TestService.call(
                    client,
                    .post,
                    "/api/v1/models",
                    model.merged(with: ["name": "gpt-*", "aliases": []])
                )
                #expect(wildcard.status == .unprocessableContent)
                #expect(wildcard.body["error"]?["field"] == "name")
                let twice = try await TestService.call(
                    client,
                    .post,
                    "/api/v1/models",
                    model.merged(with: ["name": "other", "aliases": ["mini"]])
                )
                #expect(twice.status == .conflict)
                #expect(
                    twice.body["error"]
                        == [
                            "field": "aliases[0]",
                            "message": "\"mini\" is served already by model \"gpt-4o-mini\" of provider \"alpha\"",
                        ]
                )
                let negative = try await TestService.call(
                    client,
                    .post,
                    "/api/v1/models",
                    model.merged(with: ["name": "cheap", "aliases": [], "price": ["output": -1]])
                )
                #expect(negative.body["error"]?["field"] == "price.output")
                let noProvider = try await TestService.call(
                    client,
                    .post,
                    "/api/v1/models",
                    model.merged(with: ["provider": "nowhere"])
                )
                #expect(noProvider.status == .unprocessableContent)
                #expect(noProvider.body["error"]?["field"] == "provider")

                // PATCH changes one field; PUT replaces; a patch giving the file reference drops the variable.
                let patched = try await TestService.call(
                    client,
                    .patch,
                    "/api/v1/providers/alpha",
                    ["priority": 5, "api_key_file": "/etc/lurus/keys/alpha"]
                )
                #expect(patched.status == .ok)
                #expect(patched.body["priority"] == 5)
                #expect(patched.body["api_key_file"] == "/etc/lurus/keys/alpha")
                #expect(patched.body["api_key_env"] == nil)
                let put = try await TestService.call(
                    client,
                    .put,
                    "/api/v1/models/\(modelID)",
                    model.merged(with: ["aliases": ["mini", "4o-mini"]])
                )
                #expect(put.body["aliases"] == ["mini", "4o-mini"])
                let patchedPrice = try await TestService.call(
                    client,
                    .patch,
                    "/api/v1/models/\(modelID)",
                    ["price": ["output": 0.7]]
                )
                #expect(patchedPrice.body["price"]?["output"] == 0.7)
                #expect(patchedPrice.body["price"]?["input"] == 0.15)
                let missing = try await TestService.call(client, .get, "/api/v1/providers/nowhere")
                #expect(missing.status == .notFound)

                let listed = try await TestService.call(client, .get, "/api/v1/models?provider=alpha")
                #expect(listed.body["models"]?[0]?["name"] == "gpt-4o-mini")
                #expect(try await TestService.call(client, .delete, "/api/v1/models/\(modelID)").status == .ok)
                #expect(try await TestService.call(client, .get, "/api/v1/models/\(modelID)").status == .notFound)

                // The audit trail: who, what, before and after, newest first, one version per change.
                let changes = try await TestService.call(client, .get, "/api/v1/changes")
                guard case .array(let rows)? = changes.body["changes"] else {
                    Issue.record("no changes listed: \(changes.body)")
                    return
                }
                #expect(
                    rows.map { $0["action"]?.stringValue ?? "" } == [
                        "delete", "update", "update", "update", "create", "create",
                    ]
                )
                #expect(
                    rows.map { $0["entity"]?.stringValue ?? "" } == [
                        "model", "model", "model", "provider", "model", "provider",
                    ]
                )
                #expect(rows.allSatisfy { $0["who"] == "static-token" })
                #expect(rows.last?["name"] == "alpha")
                #expect(rows.last?["before"] == .null)
                #expect(rows.last?["after"]?["base_url"] == "https://api.alpha.example/v1")
                #expect(rows[3]["before"]?["priority"] == 10)
                #expect(rows[3]["after"]?["priority"] == 5)
                #expect(rows[0]["name"] == "alpha/gpt-4o-mini")
                let versions = rows.compactMap { $0["version"]?.intValue }
                #expect(versions == [7, 6, 5, 4, 3, 2])
            }
        }
        #expect(try await postgres.psql("SELECT service, version FROM schema_migrations") == "provider|1\n")
        #expect(try await postgres.psql("SELECT version FROM catalog_version") == "7\n")
    }

    @Test("bad configuration is one StartupError naming the setting")
    func configuration() throws {
        func problem(_ values: [String: String]) -> String {
            do {
                _ = try ProviderConfiguration(settings: .init(values: values))
                return "accepted"
            } catch {
                return error.problem
            }
        }
        let admin = ["admin.tokenSha256": String(repeating: "a", count: 64)]
        #expect(problem(admin.merging(["http.port": "eighty"]) { $1 }).contains("http.port"))
        #expect(problem([:]).contains("admin.tokenSha256"))
        #expect(problem(admin.merging(["nats.url": "http://x:1"]) { $1 }).contains("nats.url"))
        #expect(
            problem(admin.merging(["redis.host": "r", "redis.passwordFile": "/nonexistent"]) { $1 }).contains(
                "redis.passwordFile"
            )
        )
        let configuration = try ProviderConfiguration(settings: .init(values: admin))
        #expect(configuration.port == 18101)
        #expect(configuration.postgres.user == "lurus_provider" && configuration.postgres.database == "lurus_provider")
        #expect(configuration.redis == nil && configuration.nats == nil)
    }
}
