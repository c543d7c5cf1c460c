import Foundation
import LurusServiceKit

/// Everything the gateway reads at start, from the environment and its YAML file.
///
/// | key | environment | default |
/// |---|---|---|
/// | http.host / http.port | HTTP_HOST / HTTP_PORT | 0.0.0.0 / 18100 |
/// | provider.service.url | PROVIDER_SERVICE_URL | none |
/// | catalog.file | CATALOG_FILE | none (offline fallback) |
/// | catalog.refreshSeconds | CATALOG_REFRESH_SECONDS | 30 |
/// | keys.file | KEYS_FILE | required |
/// | billing.service.url | BILLING_SERVICE_URL | none |
/// | billing.skipCheck | BILLING_SKIP_CHECK | false |
/// | billing.timeoutMs / billing.defaultOutputTokens | BILLING_TIMEOUT_MS / BILLING_DEFAULT_OUTPUT_TOKENS | 300 / 4096 |
/// | billing.tokenFile / provider.tokenFile | BILLING_TOKEN_FILE / PROVIDER_TOKEN_FILE | none (no service token sent) |
/// | billing.leaseSeconds | BILLING_LEASE_SECONDS | 5 (0: hold every request on its own) |
/// | keys.refreshSeconds | KEYS_REFRESH_SECONDS | 30 |
/// | nats.url / nats.user / nats.passwordFile | NATS_URL / NATS_USER / NATS_PASSWORD_FILE | none |
/// | spool.directory | SPOOL_DIRECTORY | /var/lib/lurus-gateway/spool |
/// | tracing.enabled / tracing.endpoint | TRACING_ENABLED / TRACING_ENDPOINT | false / none |
/// | limits.bodyBytes | LIMITS_BODY_BYTES | 10485760 |
/// | upstream.connectTimeoutMs / upstream.idleTimeoutSeconds | … | 3000 / 60 |
/// | cooldown.seconds | COOLDOWN_SECONDS | 10 |
/// | shutdown.drainSeconds | SHUTDOWN_DRAIN_SECONDS | 30 |
/// | log.level | LOG_LEVEL | info |
public struct GatewayConfiguration: ServiceConfiguration {
    public var host: String
    public var port: Int
    public var providerServiceURL: URL?
    public var catalogFile: String?
    public var catalogRefresh: Duration
    /// The offline fallback when the billing service gives the keys; required without it.
    public var keysFile: String?
    public var billingServiceURL: URL?
    public var billingSkipCheck: Bool
    public var billingTimeout: Duration
    public var billingDefaultOutputTokens: Int
    /// How long a billing lease is spent from before it is given back; zero holds every request on its own.
    public var billingLeaseWindow: Duration
    /// The service tokens the gateway sends to billing and the provider service (read from files).
    public var billingToken: String?
    public var providerToken: String?
    public var keysRefresh: Duration
    public var natsURL: String?
    public var natsUser: String?
    public var natsPasswordFile: String?
    public var spoolDirectory: String
    public var tracingEnabled: Bool
    public var tracingEndpoint: String?
    public var bodyLimit: Int
    public var connectTimeout: Duration
    public var idleTimeout: Duration
    public var cooldown: Duration
    public var drainDeadline: Duration
    public var logLevel: String

    /// Reads and checks every setting; the first bad one stops the start with its name and fix.
    public init(settings: Settings) throws(StartupError) {
        self.host = settings.string("http.host") ?? "0.0.0.0"
        self.port = try settings.int("http.port", default: 18100, range: 1...65535)
        self.providerServiceURL = try settings.url("provider.service.url")
        self.catalogFile = settings.string("catalog.file")
        self.catalogRefresh = .seconds(try settings.int("catalog.refreshSeconds", default: 30, range: 1...86400))
        self.keysFile = settings.string("keys.file")
        self.billingServiceURL = try settings.url("billing.service.url")
        if self.keysFile == nil && self.billingServiceURL == nil {
            throw StartupError(
                "no client keys: keys.file (KEYS_FILE) is not set and there is no billing service (billing.service.url)",
                fix:
                    "point keys.file at a JSON file of key ids and sha256 hashes, or set billing.service.url (doc/gateway.md)"
            )
        }
        self.billingSkipCheck = try settings.bool("billing.skipCheck", default: false)
        self.billingTimeout = .milliseconds(try settings.int("billing.timeoutMs", default: 300, range: 10...10000))
        self.billingDefaultOutputTokens = try settings.int(
            "billing.defaultOutputTokens",
            default: 4096,
            range: 1...10_000_000
        )
        self.billingToken = try settings.secretFile("billing.tokenFile")
        self.providerToken = try settings.secretFile("provider.tokenFile")
        self.billingLeaseWindow = .seconds(try settings.int("billing.leaseSeconds", default: 5, range: 0...300))
        self.keysRefresh = .seconds(try settings.int("keys.refreshSeconds", default: 30, range: 1...86400))
        self.natsURL = settings.string("nats.url")
        self.natsUser = settings.string("nats.user")
        self.natsPasswordFile = settings.string("nats.passwordFile")
        self.spoolDirectory = settings.string("spool.directory") ?? "/var/lib/lurus-gateway/spool"
        self.tracingEnabled = try settings.bool("tracing.enabled", default: false)
        self.tracingEndpoint = settings.string("tracing.endpoint")
        self.bodyLimit = try settings.int("limits.bodyBytes", default: 10 << 20, range: 1024...(1 << 30))
        self.connectTimeout = .milliseconds(
            try settings.int("upstream.connectTimeoutMs", default: 3000, range: 10...60000)
        )
        self.idleTimeout = .seconds(try settings.int("upstream.idleTimeoutSeconds", default: 60, range: 1...3600))
        self.cooldown = .seconds(try settings.int("cooldown.seconds", default: 10, range: 0...3600))
        self.drainDeadline = .seconds(try settings.int("shutdown.drainSeconds", default: 30, range: 0...3600))
        self.logLevel = settings.string("log.level") ?? "info"
        guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(self.logLevel) else {
            throw StartupError(
                "setting log.level is \"\(self.logLevel)\"",
                fix: "use one of trace, debug, info, notice, warning, error, critical"
            )
        }
        if self.providerServiceURL == nil && self.catalogFile == nil {
            throw StartupError(
                "no provider catalog: neither provider.service.url (PROVIDER_SERVICE_URL) nor catalog.file "
                    + "(CATALOG_FILE) is set",
                fix: "set the provider service's URL, a local catalog file, or both"
            )
        }
        if self.natsURL == nil {
            throw StartupError(
                "nats.url (NATS_URL) is not set: usage events would have nowhere to go",
                fix: "set it, e.g. nats://brain:4222 (events are spooled while NATS is down)"
            )
        }
    }
}
