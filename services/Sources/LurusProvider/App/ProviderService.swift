import Foundation
import Hummingbird
import Logging
import LurusAdminAuth
import LurusPostgres
import LurusRedis
import LurusServiceKit
import PostgresNIO
import ServiceLifecycle

/// The assembled provider service: router, store, cache, health board and background parts.
public struct ProviderService: Sendable {
    public let configuration: ProviderConfiguration
    /// The routes, built: `/v1/catalog`, `/api/v1/…`, `/health`, `/metrics`.
    public let responder: RouterResponder<AdminContext>
    public let postgres: PostgresClient
    public let store: ProviderStore
    public let cache: CatalogCache
    public let board: ProviderHealthBoard
    public let state: ServiceState
    public let metrics: ProviderMetrics
    /// Background parts besides the PostgreSQL client and the HTTP server: the database probe, the
    /// invalidation listener, the usage consumer, the issuer key refresher, tracing.
    public let services: [any Service]
    let logger: Logger

    /// Assembles the service; nothing connects until ``run()`` (or ``migrate()`` in tests).
    public static func build(
        configuration: ProviderConfiguration,
        logger: Logger,
        tracing: (any Service)? = nil
    ) -> ProviderService {
        let postgres = PostgresClient(
            configuration: configuration.postgres.clientConfiguration,
            backgroundLogger: logger
        )
        let store = ProviderStore(client: postgres, logger: logger)
        let redis = configuration.redis.map { RedisClient($0, logger: logger) }
        let cache = CatalogCache(store: store, redis: redis, logger: logger)
        let board = ProviderHealthBoard(
            span: Double(configuration.healthWindow.components.seconds),
            maximumEvents: configuration.healthWindowEvents
        )
        let state = ServiceState()
        let metrics = ProviderMetrics()
        let authenticator = AdminAuthenticator(configuration.admin, logger: logger)
        let router = Router(context: AdminContext.self)
        if tracing != nil {
            router.middlewares.add(TracingMiddleware())
        }
        let catalogRoute = CatalogRoute(cache: cache, metrics: metrics)
        if let check = configuration.gatewayToken {
            catalogRoute.add(to: router.group().add(middleware: ServiceTokenGuard(check)))
        } else {
            logger.warning(
                "GET /v1/catalog is open to the network: set gateway.tokenSha256 (GATEWAY_TOKEN_SHA256) to require the gateway's token"
            )
            catalogRoute.add(to: router)
        }
        AdminRoutes(store: store, cache: cache, board: board, metrics: metrics, authenticator: authenticator)
            .add(to: router)
        router.addMetricsRoute(service: "lurus-provider", registry: metrics.registry)
        router.addHealthRoute(service: "lurus-provider") {
            let migrated = await state.migrated
            let reachable = await state.databaseReachable()
            let problem = await state.databaseProblem
            return [
                HealthCheck(
                    name: "database",
                    passing: reachable,
                    detail: reachable
                        ? "PostgreSQL \(configuration.postgres.description) answered in the last 30 s"
                        : "PostgreSQL \(configuration.postgres.description) has not answered recently"
                            + (problem.map { ": \($0)" } ?? "")
                ),
                HealthCheck(
                    name: "migrations",
                    passing: migrated,
                    detail: migrated ? "schema up to date" : "migrations not applied yet"
                ),
                // Redis and NATS are optional: their state is reported, it never fails health.
                HealthCheck(name: "redis", passing: true, detail: await cache.redisState),
                HealthCheck(
                    name: "usage_events",
                    passing: true,
                    detail: await board.consumerState ?? "NATS not configured: no passive health"
                ),
            ]
        }
        var services: [any Service] = [DatabaseProbe(store: store, state: state, interval: .seconds(5), logger: logger)]
        if let redis = configuration.redis {
            services.append(CatalogInvalidationListener(configuration: redis, cache: cache, logger: logger))
        }
        if let nats = configuration.nats {
            services.append(
                UsageHealthConsumer(
                    configuration: nats,
                    durableName: configuration.healthConsumer,
                    board: board,
                    logger: logger
                )
            )
        }
        if let refresher = authenticator.refresher { services.append(refresher) }
        if let tracing { services.append(tracing) }
        return ProviderService(
            configuration: configuration,
            responder: router.buildResponder(),
            postgres: postgres,
            store: store,
            cache: cache,
            board: board,
            state: state,
            metrics: metrics,
            services: services,
            logger: logger
        )
    }

    /// Applies the schema's migrations (the PostgreSQL client must be running), retrying while the
    /// database cannot be reached, for up to `attempts` tries.
    public func migrate(attempts: Int = 20, pause: Duration = .seconds(3)) async throws {
        try await Self.migrate(
            client: self.postgres,
            state: self.state,
            attempts: attempts,
            pause: pause,
            logger: self.logger
        )
    }

    static func migrate(
        client: PostgresClient,
        state: ServiceState,
        attempts: Int = 20,
        pause: Duration = .seconds(3),
        logger: Logger
    ) async throws {
        var attempt = 1
        while true {
            do {
                let applied = try await Migrator.migrate(
                    ProviderSchema.migrations,
                    service: ProviderSchema.service,
                    client: client,
                    logger: logger
                )
                logger.info("schema up to date", metadata: ["applied": "\(applied)"])
                await state.setMigrated()
                await state.databaseAnswered()
                return
            } catch let error as MigrationError {
                throw error
            } catch {
                guard attempt < attempts else { throw error }
                logger.warning(
                    "migrations cannot run yet; trying again",
                    metadata: ["attempt": "\(attempt)", "error": "\(String(reflecting: error))"]
                )
                attempt += 1
                try await Task.sleep(for: pause)
            }
        }
    }

    /// Creates what the provision file names and the store lacks (after the migrations), then drops the
    /// cached catalogs if anything was created.
    public func provisionCatalog() async throws {
        guard let provision = self.configuration.provision else { return }
        let result = try await self.store.provision(provision)
        if let version = result.version { await self.cache.invalidate(version: version) }
        self.logger.info(
            "catalog provision file applied",
            metadata: [
                "created_providers": "\(result.providers.joined(separator: ","))",
                "created_models": "\(result.models.joined(separator: ","))",
                "declared_providers": "\(provision.providers.count)", "declared_models": "\(provision.models.count)",
            ]
        )
    }

    /// The HTTP server.
    public func application() -> some ApplicationProtocol {
        Application(
            responder: self.responder,
            configuration: .init(
                address: .hostname(self.configuration.host, port: self.configuration.port),
                serverName: "lurus-provider"
            ),
            logger: self.logger
        )
    }

    /// Serves until SIGTERM/SIGINT: the PostgreSQL client first, migrations before the port opens,
    /// the background parts beside the server.
    public func run() async throws {
        try await ServiceRunner.run(
            [self.postgres] + self.services + [
                MigrateThenServe(
                    migrate: {
                        try await self.migrate()
                        try await self.provisionCatalog()
                    },
                    application: self.application(),
                    port: self.configuration.port,
                    logger: self.logger
                )
            ],
            drainDeadline: self.configuration.drainDeadline,
            logger: self.logger
        )
    }
}

/// Opens the port only once the schema is up to date; a migration that fails stops the service.
struct MigrateThenServe<App: ApplicationProtocol>: Service {
    let migrate: @Sendable () async throws -> Void
    let application: App
    let port: Int
    let logger: Logger

    func run() async throws {
        try await self.migrate()
        self.logger.info("listening", metadata: ["port": "\(self.port)"])
        try await self.application.run()
    }
}
