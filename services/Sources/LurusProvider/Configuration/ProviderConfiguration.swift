import Foundation
import LurusAdminAuth
import LurusEvents
import LurusNATS
import LurusPostgres
import LurusRedis
import LurusServiceKit

/// Everything the provider service reads at start, from the environment and its YAML file.
///
/// | key | environment | default |
/// |---|---|---|
/// | http.host / http.port | HTTP_HOST / HTTP_PORT | 0.0.0.0 / 18101 |
/// | postgres.host, .port, .user, .database, .passwordFile | POSTGRES_* | 127.0.0.1, 5432, lurus_provider, lurus_provider, none |
/// | redis.host / redis.port / redis.passwordFile | REDIS_HOST / REDIS_PORT / REDIS_PASSWORD_FILE | none (no cache) / 6379 / none |
/// | nats.url / nats.user / nats.passwordFile | NATS_URL / NATS_USER / NATS_PASSWORD_FILE | none (no health window) |
/// | health.consumer | HEALTH_CONSUMER | lurus-provider-health (one per replica) |
/// | health.windowSeconds / health.windowEvents | HEALTH_WINDOW_SECONDS / HEALTH_WINDOW_EVENTS | 300 / 500 |
/// | admin.* | ADMIN_* | see `AdminAuthConfiguration` |
/// | gateway.tokenSha256 | GATEWAY_TOKEN_SHA256 | none (`/v1/catalog` open) |
/// | catalog.provisionFile | CATALOG_PROVISION_FILE | none (`CatalogProvision`: what is missing is created at start) |
/// | tracing.enabled / tracing.endpoint | TRACING_ENABLED / TRACING_ENDPOINT | false / none |
/// | shutdown.drainSeconds | SHUTDOWN_DRAIN_SECONDS | 10 |
/// | log.level | LOG_LEVEL | info |
public struct ProviderConfiguration: ServiceConfiguration {
    public var host: String
    public var port: Int
    public var postgres: PostgresSettings
    /// Nil: no Redis, no shared cache (each replica keeps its own short-lived copy).
    public var redis: RedisConfiguration?
    /// Nil: no NATS, no passive provider health.
    public var nats: NATSConfiguration?
    public var healthConsumer: String
    public var healthWindow: Duration
    public var healthWindowEvents: Int
    public var admin: AdminAuthConfiguration
    /// The gateway's service token's check for `/v1/catalog`; nil leaves it open to the network.
    public var gatewayToken: StaticTokenCheck?
    /// The catalog the service is seeded from at start, read and checked before anything starts.
    public var provision: CatalogProvision?
    public var tracingEnabled: Bool
    public var tracingEndpoint: String?
    public var drainDeadline: Duration
    public var logLevel: String

    /// Reads and checks every setting; the first bad one stops the start with its name and fix.
    public init(settings: Settings) throws(StartupError) {
        self.host = settings.string("http.host") ?? "0.0.0.0"
        self.port = try settings.int("http.port", default: 18101, range: 1...65535)
        self.postgres = try PostgresSettings(
            settings: settings,
            defaultUser: "lurus_provider",
            defaultDatabase: "lurus_provider"
        )
        if let host = settings.string("redis.host") {
            self.redis = RedisConfiguration(
                host: host,
                port: try settings.int("redis.port", default: 6379, range: 1...65535),
                password: try settings.secretFile("redis.passwordFile"),
                clientName: "lurus-provider"
            )
        }
        self.nats = try NATSConfiguration.events(settings: settings, clientName: "lurus-provider")
        self.healthConsumer = settings.string("health.consumer") ?? "lurus-provider-health"
        guard self.healthConsumer.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw StartupError(
                "setting health.consumer (HEALTH_CONSUMER) is \"\(self.healthConsumer)\"",
                fix: "use letters, digits, - and _ only (it is a JetStream durable name)"
            )
        }
        self.healthWindow = .seconds(try settings.int("health.windowSeconds", default: 300, range: 10...86400))
        self.healthWindowEvents = try settings.int("health.windowEvents", default: 500, range: 10...100_000)
        self.admin = try AdminAuthConfiguration(settings: settings)
        self.gatewayToken = try StaticTokenCheck.gatewayToken(settings: settings)
        self.provision = try settings.string("catalog.provisionFile").map { path throws(StartupError) in
            try CatalogProvision.load(file: path)
        }
        self.tracingEnabled = try settings.bool("tracing.enabled", default: false)
        self.tracingEndpoint = settings.string("tracing.endpoint")
        self.drainDeadline = .seconds(try settings.int("shutdown.drainSeconds", default: 10, range: 0...3600))
        self.logLevel = settings.string("log.level") ?? "info"
        guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(self.logLevel) else {
            throw StartupError(
                "setting log.level is \"\(self.logLevel)\"",
                fix: "use one of trace, debug, info, notice, warning, error, critical"
            )
        }
    }
}
