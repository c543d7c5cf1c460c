import Foundation
import LurusEngine
import LurusInventory
import LurusTestSupport
import Testing

@testable import LurusRelease

/// The provider, billing and log services as the shipped inventories place them: every variable they
/// get, the secrets behind them, the two tokens (the admin token and the gateway's service token), and
/// the errors when what they need is placed nowhere.
@Suite struct ServiceEnvironmentTests {
    static func resolve(_ definition: ServiceDefinition, in inventory: Inventory) throws -> ResolvedService {
        try #require(try ServiceCatalog.resolve(definition, in: inventory))
    }

    static func lurus() throws -> Inventory { try ServiceCatalogTests.inventory("lurus") }
    static func lab() throws -> Inventory { try ServiceCatalogTests.inventory("lab") }

    @Test func productionProviderReachesPostgresRedisAndNatsByNodeWithTheTokensAsDigests() throws {
        let provider = try Self.resolve(ServiceCatalog.provider, in: try Self.lurus())
        #expect(
            ServiceCatalogTests.environment(provider) == [
                "HTTP_PORT=18101",
                "POSTGRES_HOST=heart",
                "POSTGRES_PORT=5432",
                "POSTGRES_USER=lurus_provider",
                "POSTGRES_DATABASE=lurus_provider",
                "POSTGRES_PASSWORD_FILE=/etc/lurus/provider/secrets/postgres-password",
                "REDIS_HOST=heart",
                "REDIS_PORT=6379",
                "REDIS_PASSWORD_FILE=/etc/lurus/provider/secrets/redis-password",
                "NATS_URL=nats://brain:4222",
                "NATS_USER=lurus",
                "NATS_PASSWORD_FILE=/etc/lurus/provider/secrets/nats-password",
                "ADMIN_TOKEN_SHA256=<sha256 of admin/token>",
                "GATEWAY_TOKEN_SHA256=<sha256 of gateway/service-token>",
                "TRACING_ENABLED=true",
                "TRACING_ENDPOINT=http://lab:4318",
                "SHUTDOWN_DRAIN_SECONDS=10",
            ]
        )
        #expect(provider.nodes.map(\.name) == ["brain"])
        #expect(provider.replicas == 1)
        // The same secrets the components write: the role's password, Redis's, NATS's.
        #expect(provider.secretFiles.map(\.secret) == ["postgres/provider", "redis/default", "nats/lurus"])
        #expect(provider.secretFiles.allSatisfy { $0.generated })
        #expect(provider.digestedSecrets == ["admin/token", "gateway/service-token"])
        #expect(provider.peers.map(\.component) == [.postgres, .redis, .nats, .jaeger])
        #expect(provider.peers.map(\.port) == [5432, 6379, 4222, 4318])
    }

    @Test func productionBillingHasItsOwnDatabaseAndNats() throws {
        let billing = try Self.resolve(ServiceCatalog.billing, in: try Self.lurus())
        #expect(
            ServiceCatalogTests.environment(billing) == [
                "HTTP_PORT=18103",
                "POSTGRES_HOST=heart",
                "POSTGRES_PORT=5432",
                "POSTGRES_USER=lurus_billing",
                "POSTGRES_DATABASE=lurus_billing",
                "POSTGRES_PASSWORD_FILE=/etc/lurus/billing/secrets/postgres-password",
                "NATS_URL=nats://brain:4222",
                "NATS_USER=lurus",
                "NATS_PASSWORD_FILE=/etc/lurus/billing/secrets/nats-password",
                "ADMIN_TOKEN_SHA256=<sha256 of admin/token>",
                "GATEWAY_TOKEN_SHA256=<sha256 of gateway/service-token>",
                "TRACING_ENABLED=true",
                "TRACING_ENDPOINT=http://lab:4318",
            ]
        )
        #expect(billing.secretFiles.map(\.secret) == ["postgres/billing", "nats/lurus"])
        #expect(billing.peers.map(\.component) == [.postgres, .nats, .jaeger])
    }

    @Test func productionLogWritesToTheClickHouseOnItsNodeWithItsRetention() throws {
        let log = try Self.resolve(ServiceCatalog.log, in: try Self.lurus())
        #expect(
            ServiceCatalogTests.environment(log) == [
                "HTTP_PORT=18102",
                "CLICKHOUSE_URL=http://lab:8123",
                "CLICKHOUSE_USER=lurus",
                "CLICKHOUSE_PASSWORD_FILE=/etc/lurus/log/secrets/clickhouse-password",
                "CLICKHOUSE_DATABASE=lurus_logs",
                "RETENTION_DAYS=90",
                "NATS_URL=nats://brain:4222",
                "NATS_USER=lurus",
                "NATS_PASSWORD_FILE=/etc/lurus/log/secrets/nats-password",
                "ADMIN_TOKEN_SHA256=<sha256 of admin/token>",
                "TRACING_ENABLED=true",
                "TRACING_ENDPOINT=http://lab:4318",
            ]
        )
        #expect(log.nodes.map(\.name) == ["lab"])
        #expect(log.secretFiles.map(\.secret) == ["clickhouse/lurus", "nats/lurus"])
        #expect(log.digestedSecrets == ["admin/token"], "nobody calls the log service with the service token")
        #expect(log.definition.executable == "lurus-logs")
    }

    @Test func labServicesUnderSystemdReachTheirPeersByNodeWithoutTracing() throws {
        let inventory = try Self.lab()
        let services = try ServiceCatalog.resolve(in: inventory)
        #expect(services.map(\.name) == ["provider", "billing", "gateway", "log"])
        #expect(services.map { $0.nodes.map(\.name) } == [["brain"], ["brain"], ["brain"], ["lab"]])
        let provider = try Self.resolve(ServiceCatalog.provider, in: inventory)
        #expect(
            ServiceCatalogTests.environment(provider) == [
                "HTTP_PORT=18101",
                "POSTGRES_HOST=heart",
                "POSTGRES_PORT=5432",
                "POSTGRES_USER=lurus_provider",
                "POSTGRES_DATABASE=lurus_provider",
                "POSTGRES_PASSWORD_FILE=/etc/lurus/provider/secrets/postgres-password",
                "REDIS_HOST=heart",
                "REDIS_PORT=6379",
                "REDIS_PASSWORD_FILE=/etc/lurus/provider/secrets/redis-password",
                "NATS_URL=nats://brain:4222",
                "NATS_USER=lurus",
                "NATS_PASSWORD_FILE=/etc/lurus/provider/secrets/nats-password",
                "ADMIN_TOKEN_SHA256=<sha256 of admin/token>",
                "GATEWAY_TOKEN_SHA256=<sha256 of gateway/service-token>",
                "CATALOG_PROVISION_FILE=/etc/lurus/provider/secrets/catalog.json",
                "SHUTDOWN_DRAIN_SECONDS=10",
            ]
        )
        let log = try Self.resolve(ServiceCatalog.log, in: inventory)
        #expect(
            ServiceCatalogTests.environment(log) == [
                "HTTP_PORT=18102",
                "CLICKHOUSE_URL=http://lab:8123",
                "CLICKHOUSE_USER=lurus",
                "CLICKHOUSE_PASSWORD_FILE=/etc/lurus/log/secrets/clickhouse-password",
                "CLICKHOUSE_DATABASE=lurus_logs",
                "RETENTION_DAYS=30",
                "NATS_URL=nats://brain:4222",
                "NATS_USER=lurus",
                "NATS_PASSWORD_FILE=/etc/lurus/log/secrets/nats-password",
                "ADMIN_TOKEN_SHA256=<sha256 of admin/token>",
            ]
        )
        let billing = try Self.resolve(ServiceCatalog.billing, in: inventory)
        #expect(ServiceCatalogTests.environment(billing).first == "HTTP_PORT=18103")
        #expect(!billing.environment.contains { $0.name.hasPrefix("TRACING_") }, "the lab places no Jaeger")
        // Every secret a service reads can be had: generated, or a component's.
        #expect(ServiceCatalog.unnamedSecrets(of: services, in: inventory).isEmpty)
    }

    @Test(arguments: [
        (Component.provider, Component.postgres, "the provider service keeps its catalog in PostgreSQL"),
        (.billing, .postgres, "billing keeps balances in PostgreSQL"),
        (.log, .clickhouse, "the log service writes request logs to ClickHouse"),
    ])
    func aRequiredComponentPlacedNowhereIsAnErrorThatSaysWhereToAddIt(
        service: Component,
        needed: Component,
        reason: String
    ) throws {
        let inventory = ServiceCatalogTests.without(needed, in: try Self.lurus())
        let definition = try #require(ServiceCatalog.definition(of: service))
        let error = #expect(throws: ServiceCatalogError.self) {
            try ServiceCatalog.resolve(definition, in: inventory)
        }
        #expect(
            error?.description
                == "\(service.name): \(needed.name) is placed on no node, and \(reason) "
                + "(add \(needed.name) to a node's components in \(inventory.path))"
        )
        #expect(error?.hint.contains("/inventory/lurus.yaml") == true, "the error names the inventory file")
    }

    @Test func withoutRedisTheProviderRunsWithoutItsCache() throws {
        let provider = try Self.resolve(
            ServiceCatalog.provider,
            in: ServiceCatalogTests.without(.redis, in: try Self.lurus())
        )
        #expect(!provider.environment.contains { $0.name.hasPrefix("REDIS_") })
        #expect(!provider.secretFiles.contains { $0.secret == "redis/default" })
        #expect(!provider.peers.contains { $0.component == .redis })
    }

    @Test func withoutNatsTheServicesThatOnlyConsumeItStillResolve() throws {
        let inventory = ServiceCatalogTests.without(
            .gateway,
            in: ServiceCatalogTests.without(.nats, in: try Self.lurus())
        )
        for definition in [ServiceCatalog.provider, ServiceCatalog.billing, ServiceCatalog.log] {
            let service = try Self.resolve(definition, in: inventory)
            #expect(!service.environment.contains { $0.name.hasPrefix("NATS_") }, "\(service.name)")
            #expect(!service.secretFiles.contains { $0.secret == ServiceCatalog.natsPasswordSecret })
            // Nothing calls them with the service token when no gateway runs.
            #expect(!service.environment.contains { $0.name == "GATEWAY_TOKEN_SHA256" })
        }
    }

    @Test func theLogServiceKeepsWhatClickHouseIsSetToKeep() throws {
        var inventory = try Self.lurus()
        inventory.settings[.clickhouse] = ComponentSettings(
            component: .clickhouse,
            values: ["retention_days": .integer(400), "http_port": .integer(8124)]
        )
        let log = try Self.resolve(ServiceCatalog.log, in: inventory)
        let environment = ServiceCatalogTests.environment(log)
        #expect(environment.contains("RETENTION_DAYS=400"))
        #expect(environment.contains("CLICKHOUSE_URL=http://lab:8124"))
        #expect(log.peers.first { $0.component == .clickhouse }?.port == 8124)
    }

    @Test func theServiceTokenIsAFileOnTheGatewayAndItsDigestOnBillingAndProvider() throws {
        let inventory = try Self.lurus()
        let services = try ServiceCatalog.resolve(in: inventory)
        let token = "a7Kq0_Zx-3" + String(repeating: "t", count: 33)
        let secrets: [String: Secret] = [
            ServiceCatalog.serviceTokenSecret: Secret(
                name: ServiceCatalog.serviceTokenSecret,
                bytes: Array(token.utf8)
            ),
            ServiceCatalog.adminTokenSecret: Secret(
                name: ServiceCatalog.adminTokenSecret,
                bytes: Array("admin\n".utf8)
            ),
        ]
        let gateway = try #require(services.first { $0.component == .gateway })
        #expect(
            gateway.secretFiles.filter { $0.secret == ServiceCatalog.serviceTokenSecret }.map(\.path) == [
                "/etc/lurus/gateway/secrets/service-token-provider", "/etc/lurus/gateway/secrets/service-token-billing",
            ]
        )
        // `printf %s TOKEN | sha256sum`, as the services' own error messages say to make it.
        let digest = Digest.sha256Hex(Array(token.utf8))
        for name in ["provider", "billing"] {
            let service = try #require(services.first { $0.name == name })
            let environment = try service.environment(with: secrets)
            #expect(environment.first { $0.name == "GATEWAY_TOKEN_SHA256" }?.value == digest)
            // The stored token's trailing newline is trimmed, as the services trim token files.
            #expect(
                environment.first { $0.name == "ADMIN_TOKEN_SHA256" }?.value == Digest.sha256Hex(Array("admin".utf8))
            )
            #expect(!environment.contains { $0.value.contains(token) || $0.value.contains("admin\n") })
            #expect(environment.allSatisfy { !$0.value.hasPrefix("<sha256") }, "every digest is computed")
        }
        let log = try #require(services.first { $0.component == .log })
        #expect(throws: ServiceCatalogError.self) { try log.environment(with: [:]) }
        #expect(ResolvedService.tokenDigest(Array(" abc\r\n".utf8)) == Digest.sha256Hex(Array("abc".utf8)))
        #expect(
            ResolvedService.tokenDigest(Array("abc".utf8))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        )
    }

    /// Every variable the catalog gives a service is one that service reads: its settings keys, from its
    /// own sources and the shared ones, spelled as `Settings.environmentName` spells them.
    @Test func everyVariableIsOneTheServiceReads() throws {
        let shared = ["LurusAdminAuth", "LurusPostgres", "LurusEvents"]
        let targets: [Component: String] = [
            .gateway: "LurusGateway", .provider: "LurusProvider", .billing: "LurusBilling", .log: "LurusLogs",
        ]
        for definition in ServiceCatalog.definitions {
            let target = try #require(targets[definition.component])
            var read: Set<String> = []
            for folder in [target] + shared {
                read.formUnion(try Self.settingNames(in: Repository.path("services/Sources/\(folder)")))
            }
            #expect(read.contains("HTTP_PORT"), "\(target)'s settings were found")
            for variable in definition.environment {
                #expect(
                    read.contains(variable.name),
                    "\(definition.name) is given \(variable.name), which it does not read"
                )
            }
        }
    }

    /// The environment names of every `settings.KIND("key"` in the Swift files under `folder`.
    static func settingNames(in folder: String) throws -> Set<String> {
        let pattern = try Regex(#"settings\.(?:string|int|bool|url|double|secretFile)\(\s*"([A-Za-z0-9.]+)""#)
        var names: Set<String> = []
        let files = FileManager.default.enumerator(atPath: folder)?.compactMap { $0 as? String } ?? []
        for file in files where file.hasSuffix(".swift") {
            let text = try String(contentsOfFile: "\(folder)/\(file)", encoding: .utf8)
            for match in text.matches(of: pattern) {
                if let key = match.output[1].substring { names.insert(Self.environmentName(of: String(key))) }
            }
        }
        return names
    }

    /// `billing.skipCheck` → `BILLING_SKIP_CHECK`, as `LurusServiceKit.Settings.environmentName` does.
    static func environmentName(of key: String) -> String {
        var name = ""
        for character in key {
            if character == "." {
                name.append("_")
            } else if character.isUppercase {
                name.append("_")
                name.append(character)
            } else {
                name.append(character.uppercased())
            }
        }
        return name
    }
}
