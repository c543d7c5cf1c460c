// swift-tools-version: 6.2

import PackageDescription

/// The bundled services: a shared kit and the LLM gateway. Its own package so the CLI's build
/// stays fast and the services' heavier dependencies (Hummingbird, async-http-client, swift-otel)
/// are built only here.
let package = Package(
    name: "lurus-services",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lurus-gateway", targets: ["lurus-gateway"]),
        .executable(name: "lurus-fake-upstream", targets: ["lurus-fake-upstream"]),
        .executable(name: "lurus-billing", targets: ["lurus-billing"]),
        .executable(name: "lurus-provider", targets: ["lurus-provider"]),
        .executable(name: "lurus-logs", targets: ["lurus-logs"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: ["JSON", "YAML"]),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.7.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .executableTarget(
            name: "lurus-gateway",
            dependencies: ["LurusGateway", "LurusServiceKit"]
        ),
        .executableTarget(name: "lurus-billing", dependencies: ["LurusBilling", "LurusServiceKit"]),
        .executableTarget(
            name: "lurus-provider",
            dependencies: ["LurusProvider", "LurusServiceKit"]
        ),
        .executableTarget(name: "lurus-logs", dependencies: ["LurusLogs", "LurusServiceKit"]),
        .executableTarget(
            name: "lurus-fake-upstream",
            dependencies: [
                "LLMTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        /// Wire formats of the four LLM APIs: SSE, usage, error shapes, translation. Pure.
        .target(name: "LLMWire"),
        /// A small NATS + JetStream client on SwiftNIO (no Swift NATS client is available here):
        /// publish with acknowledgements, streams, durable pull consumers.
        .target(
            name: "LurusNATS",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        /// A small Redis (RESP2) client on SwiftNIO (no Swift Redis client is available here): GET, SET
        /// with expiry, DEL, PUBLISH, SUBSCRIBE, with timeouts and reconnects. For the provider's cache.
        .target(
            name: "LurusRedis",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        /// The event contract between services: the usage record and the streams it goes to.
        /// Producer (the gateway) and consumers (billing, logs) import it; no HTTP, no gateway.
        .target(name: "LurusEvents", dependencies: ["LLMWire", "LurusNATS", "LurusServiceKit"]),
        /// What every bundled service shares: start-up (`ServiceMain`), configuration, JSON logs,
        /// metrics, tracing, health, request ids.
        .target(
            name: "LurusServiceKit",
            dependencies: [
                "LLMWire",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        /// PostgreSQL for the services that keep state (provider, billing): settings with bounded calls,
        /// and versioned migrations applied at start under an advisory lock.
        .target(
            name: "LurusPostgres",
            dependencies: [
                "LurusServiceKit",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        /// The billing service: users, keys, wallets and an exactly-once ledger in micro-dollars; holds
        /// (reservations) so that no balance goes below zero; the usage consumer.
        .target(
            name: "LurusBilling",
            dependencies: [
                "LLMWire",
                "LurusAdminAuth",
                "LurusEvents",
                "LurusNATS",
                "LurusPostgres",
                "LurusServiceKit",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        /// Admin authentication for the services' admin APIs (provider, billing): a static token
        /// compared by SHA-256, or an OIDC issuer's JWTs verified against its JWKS, with a role claim.
        .target(
            name: "LurusAdminAuth",
            dependencies: [
                "LLMWire",
                "LurusServiceKit",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        /// The provider service: providers, models and prices in PostgreSQL behind an admin API, the
        /// catalog the gateway reads (cached in Redis), and passive provider health from `llm.usage`.
        .target(
            name: "LurusProvider",
            dependencies: [
                "LLMWire",
                "LurusAdminAuth",
                "LurusEvents",
                "LurusNATS",
                "LurusPostgres",
                "LurusRedis",
                "LurusServiceKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        /// A small ClickHouse client over its HTTP interface, on AsyncHTTPClient (no Swift ClickHouse client
        /// is available here): statements, inserts of encoded rows, ping; timeouts on every call.
        .target(
            name: "LurusClickHouse",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        /// The log service: its ClickHouse schema (migrations at start), the ingest from LOG_EVENTS that
        /// stores each request once, and the logs and statistics API.
        .target(
            name: "LurusLogs",
            dependencies: [
                "LLMWire",
                "LurusAdminAuth",
                "LurusClickHouse",
                "LurusEvents",
                "LurusNATS",
                "LurusServiceKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "LurusGateway",
            dependencies: [
                "LLMWire",
                "LurusEvents",
                "LurusNATS",
                "LurusServiceKit",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        /// A fake LLM upstream speaking all four protocols with scripted failures, and fake provider
        /// and billing services: they stand for third parties in tests and benchmarks. It shares no
        /// code with the gateway, so a parsing mistake cannot hide on both sides.
        .target(
            name: "LLMTestSupport",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird")
            ]
        ),
        .testTarget(name: "LLMWireTests", dependencies: ["LLMWire"]),
        /// Real servers started by tests (nats-server with JetStream, redis-server, PostgreSQL, ClickHouse),
        /// Foundation only.
        .target(name: "TestServers"),
        /// Publishing usage records and reading consumers on a test's nats-server, for the services' tests.
        .target(name: "EventTestSupport", dependencies: ["LurusEvents", "LurusNATS", "TestServers"]),
        .testTarget(name: "LurusNATSTests", dependencies: ["LurusNATS", "TestServers"]),
        .testTarget(name: "LurusRedisTests", dependencies: ["LurusRedis", "TestServers"]),
        .testTarget(
            name: "LurusLogsTests",
            dependencies: [
                "LLMWire",
                "LurusAdminAuth",
                "LurusClickHouse",
                "LurusEvents",
                "LurusLogs",
                "LurusNATS",
                "LurusServiceKit",
                "TestServers",
                "EventTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(name: "LurusEventsTests", dependencies: ["LurusEvents"]),
        .testTarget(name: "LurusPostgresTests", dependencies: ["LurusPostgres", "TestServers"]),
        .testTarget(
            name: "LurusBillingTests",
            dependencies: [
                "LurusAdminAuth",
                "LurusBilling",
                "LurusEvents",
                "LurusNATS",
                "TestServers",
                "EventTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(name: "LurusServiceKitTests", dependencies: ["LurusServiceKit"]),
        .testTarget(
            name: "LurusAdminAuthTests",
            dependencies: [
                "LLMWire",
                "LurusAdminAuth",
                "LurusServiceKit",
                "TestServers",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ]
        ),
        .testTarget(
            name: "LurusProviderTests",
            dependencies: [
                "LLMWire",
                "LurusAdminAuth",
                "LurusPostgres",
                "LurusServiceKit",
                "LurusEvents",
                "LurusGateway",
                "LurusNATS",
                "LurusProvider",
                "LurusRedis",
                "TestServers",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ]
        ),
        .testTarget(
            name: "LurusGatewayTests",
            dependencies: [
                "LurusEvents",
                "LurusGateway",
                "LLMTestSupport",
                "TestServers",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ]
)
