import Foundation
import LurusAdminAuth
import LurusEvents
import LurusNATS
import LurusPostgres
import LurusServiceKit

/// The billing service's settings (environment first, then `--config FILE` or BILLING_CONFIG_FILE).
public struct BillingConfiguration: ServiceConfiguration {
    public var host: String
    public var port: Int
    public var postgres: PostgresSettings
    /// Nil: no usage events are consumed (a warning at start, and `/health` says so).
    public var nats: NATSConfiguration?
    public var batchSize: Int
    public var ackWait: Duration
    /// How long a hold lives without its usage event: longer than the gateway's longest request.
    public var reservationTTL: Duration
    public var expiryInterval: Duration
    /// Who may administer: a static token by its SHA-256 (`admin.tokenSha256`), an OIDC issuer's JWTs
    /// with a role (`admin.oidc.*`), or both; one is required.
    public var adminAuth: AdminAuthConfiguration
    /// The gateway's service token's check for `/v1/…`; nil leaves them open to the network.
    public var gatewayToken: StaticTokenCheck?
    /// The keys billing is seeded from at start (`keys.provisionFile`), read and checked before anything starts.
    public var provision: KeyProvision?
    public var logLevel: String
    public var tracingEnabled: Bool
    public var tracingEndpoint: String?

    public init(settings: Settings) throws(StartupError) {
        self.host = settings.string("http.host") ?? "0.0.0.0"
        self.port = try settings.int("http.port", default: 18103, range: 1...65535)
        self.postgres = try PostgresSettings(
            settings: settings,
            defaultUser: "lurus_billing",
            defaultDatabase: "lurus_billing"
        )
        self.nats = try NATSConfiguration.events(settings: settings, clientName: "lurus-billing")
        self.batchSize = try settings.int("usage.batchSize", default: 500, range: 1...10_000)
        self.ackWait = .seconds(try settings.int("usage.ackWaitSeconds", default: 30, range: 1...3600))
        self.reservationTTL = .seconds(try settings.int("reservations.ttlSeconds", default: 900, range: 1...86400))
        self.expiryInterval = .seconds(try settings.int("reservations.expirySweepSeconds", default: 5, range: 1...3600))
        self.adminAuth = try AdminAuthConfiguration(settings: settings)
        self.gatewayToken = try StaticTokenCheck.gatewayToken(settings: settings)
        self.provision = try settings.string("keys.provisionFile").map { path throws(StartupError) in
            try KeyProvision.load(file: path)
        }
        self.logLevel = settings.string("log.level") ?? "info"
        self.tracingEnabled = try settings.bool("tracing.enabled", default: false)
        self.tracingEndpoint = settings.string("tracing.endpoint")
    }
}
