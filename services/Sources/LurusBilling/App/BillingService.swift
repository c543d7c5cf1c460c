import Crypto
import Foundation
import Hummingbird
import Logging
import LurusAdminAuth
import LurusPostgres
import LurusServiceKit
import PostgresNIO
import ServiceLifecycle

/// The assembled billing service: PostgreSQL (migrated at start), the usage consumer, the hold sweeper
/// and the HTTP routes.
public struct BillingService: Sendable {
    public let configuration: BillingConfiguration
    public let client: PostgresClient
    public let store: BillingStore
    public let metrics: BillingMetrics
    let consumer: UsageConsumer?
    let sweeper: ReservationSweeper
    let admin: LurusAdminAuth.AdminAuthenticator
    let tracing: (any Service)?
    let logger: Logger

    public init(configuration: BillingConfiguration, logger: Logger, tracing: (any Service)? = nil) {
        self.configuration = configuration
        let client = PostgresClient(configuration: configuration.postgres.clientConfiguration, backgroundLogger: logger)
        let store = BillingStore(client: client, logger: logger)
        let metrics = BillingMetrics()
        self.client = client
        self.store = store
        self.metrics = metrics
        self.consumer = configuration.nats.map { nats in
            var settings = UsageConsumer.Settings(nats: nats)
            settings.batchSize = configuration.batchSize
            settings.ackWait = configuration.ackWait
            return UsageConsumer(settings: settings, store: store, metrics: metrics, logger: logger)
        }
        self.sweeper = ReservationSweeper(
            store: store,
            interval: configuration.expiryInterval,
            metrics: metrics,
            logger: logger
        )
        self.admin = LurusAdminAuth.AdminAuthenticator(configuration.adminAuth, logger: logger)
        self.tracing = tracing
        self.logger = logger
        if configuration.gatewayToken == nil {
            logger.warning(
                "the gateway's routes (/v1/…) are open to the network: set gateway.tokenSha256 (GATEWAY_TOKEN_SHA256) to require the gateway's token"
            )
        }
    }

    /// The routes: the gateway's, the clients', the administrators', `/health` and `/metrics`.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        if self.tracing != nil {
            router.middlewares.add(TracingMiddleware())
        }
        let gatewayAPI = GatewayAPI(
            store: self.store,
            metrics: self.metrics,
            reservationTTL: self.configuration.reservationTTL
        )
        if let check = self.configuration.gatewayToken {
            gatewayAPI.add(to: router.group().add(middleware: ServiceTokenGuard(check)))
        } else {
            gatewayAPI.add(to: router)
        }
        ClientAPI(store: self.store).add(to: router)
        AdminAPI(store: self.store, authenticate: Self.authenticator(self.admin)).add(to: router)
        router.addMetricsRoute(service: "lurus-billing", registry: self.metrics.registry)
        let consumer = self.consumer
        let sweeper = self.sweeper
        router.addHealthRoute(service: "lurus-billing") {
            let database = sweeper.lastError
            var checks = [
                HealthCheck(name: "database", passing: database == nil, detail: database ?? "answering")
            ]
            if let consumer {
                let state = consumer.state
                checks.append(
                    HealthCheck(
                        name: "usage_events",
                        passing: state.connected,
                        detail: state.connected
                            ? "consuming billing.usage (\(state.settledTotal) settled)"
                            : "not consuming: \(state.lastError ?? "connecting")"
                    )
                )
            } else {
                checks.append(
                    HealthCheck(name: "usage_events", passing: false, detail: "no nats.url: usage is not billed")
                )
            }
            return checks
        }
        return router
    }

    /// Migrates (within `startupDeadline`), then serves until SIGTERM or SIGINT.
    public func run(startupDeadline: Duration = .seconds(30)) async throws {
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await self.client.run() }
            try await self.migrate(within: startupDeadline)
            try await self.provisionKeys()
            await self.sweeper.sweep()
            if self.consumer == nil {
                self.logger.warning("no nats.url (NATS_URL): usage events are not consumed, nothing is charged")
            }
            let application = Application(
                router: self.router(),
                configuration: .init(
                    address: .hostname(self.configuration.host, port: self.configuration.port),
                    serverName: "lurus-billing"
                ),
                logger: self.logger
            )
            self.logger.info("listening", metadata: ["port": "\(self.configuration.port)"])
            try await ServiceRunner.run(
                [self.tracing, self.admin.refresher, self.consumer, self.sweeper as any Service, application].compactMap
                { $0 },
                drainDeadline: .seconds(10),
                logger: self.logger
            )
            group.cancelAll()
        }
    }

    /// Applies the schema's migrations; an unreachable database is a start-up error naming it.
    public func migrate(within deadline: Duration) async throws {
        let settings = self.configuration.postgres
        let applied = try await withThrowingTaskGroup(of: [Int]?.self) { group in
            group.addTask {
                try await Migrator.migrate(
                    BillingMigrations.all,
                    service: "billing",
                    client: self.client,
                    logger: self.logger
                )
            }
            group.addTask {
                try await Task.sleep(for: deadline)
                return nil
            }
            let first = try await group.next()!
            group.cancelAll()
            guard let applied = first else {
                throw StartupError(
                    "PostgreSQL at \(settings.description) did not answer within \(deadline)",
                    fix:
                        "check it runs and that postgres.host, postgres.port, postgres.user and postgres.passwordFile are right"
                )
            }
            return applied
        }
        self.logger.info("schema ready", metadata: ["applied": "\(applied)"])
    }

    /// Applies the keys provision file, when there is one (after the migrations).
    public func provisionKeys() async throws {
        guard let provision = self.configuration.provision else { return }
        let result = try await self.store.provision(provision)
        for (key, reason) in result.skipped.sorted(by: { $0.key < $1.key }) {
            self.logger.warning(
                "key in the provision file left as billing has it",
                metadata: ["key": "\(key)", "reason": "\(reason)"]
            )
        }
        self.logger.info(
            "keys provision file applied",
            metadata: [
                "declared": "\(provision.keys.count)", "created": "\(result.created.joined(separator: ","))",
                "rotated": "\(result.rotated.joined(separator: ","))",
                "credited": "\(result.credited.joined(separator: ","))",
            ]
        )
    }

    /// Administrators by the shared admin authentication (a static token or an OIDC issuer's JWTs); the
    /// identity is what top-ups record as who made them.
    static func authenticator(_ admin: LurusAdminAuth.AdminAuthenticator) -> AdminCheck {
        { request in
            switch await admin.authenticate(authorization: request.headers[.authorization]) {
            case .success(let identity): return identity.name
            case .failure(let failure): throw APIError(failure.status, failure.message)
            }
        }
    }
}
