import Hummingbird
import Logging
import LurusAdminAuth
import LurusClickHouse
import LurusServiceKit
import ServiceLifecycle

/// The assembled log service: the schema (migrated at start), the ingest from LOG_EVENTS, and the query API.
public struct LogService: Sendable {
    public let configuration: LogsConfiguration
    public let client: ClickHouseClient
    public let metrics: LogMetrics
    public let ingest: LogIngest?
    let admin: AdminAuthenticator
    let rollupStart = RollupStart()
    let tracing: (any Service)?
    let logger: Logger

    public init(configuration: LogsConfiguration, logger: Logger, tracing: (any Service)? = nil) {
        self.configuration = configuration
        let client = ClickHouseClient(configuration.clickHouse)
        let metrics = LogMetrics()
        self.client = client
        self.metrics = metrics
        self.ingest = configuration.nats.map { nats in
            var settings = LogIngest.Settings(nats: nats)
            settings.durableName = configuration.consumer
            settings.maximumRows = configuration.batchRows
            settings.maximumWait = configuration.batchWait
            settings.ackWait = configuration.ackWait
            settings.maximumBackoff = configuration.maximumBackoff
            return LogIngest(settings: settings, writer: LogWriter(client: client), metrics: metrics, logger: logger)
        }
        self.admin = AdminAuthenticator(configuration.admin, logger: logger)
        self.tracing = tracing
        self.logger = logger
    }

    /// `/api/v1/logs`, `/api/v1/stats` (admins), `/health`, `/metrics`.
    public func router() -> Router<AdminContext> {
        let router = Router(context: AdminContext.self)
        if self.tracing != nil {
            router.middlewares.add(TracingMiddleware())
        }
        LogsAPI(client: self.client, metrics: self.metrics, rollupStart: self.rollupStart)
            .add(to: router.group("api/v1").add(middleware: AdminAuthMiddleware(self.admin)))
        router.addMetricsRoute(service: "lurus-logs", registry: self.metrics.registry)
        let ingest = self.ingest
        let clickHouse = self.configuration.clickHouse
        let client = self.client
        router.addHealthRoute(service: "lurus-logs") {
            var checks: [HealthCheck] = []
            do {
                try await client.ping()
                checks.append(HealthCheck(name: "clickhouse", passing: true, detail: "\(clickHouse) answers"))
            } catch let error as ClickHouseError {
                checks.append(HealthCheck(name: "clickhouse", passing: false, detail: error.description))
            } catch {
                checks.append(HealthCheck(name: "clickhouse", passing: false, detail: "\(error)"))
            }
            guard let state = ingest?.state else {
                checks.append(HealthCheck(name: "ingest", passing: false, detail: "no nats.url: nothing is ingested"))
                return checks
            }
            let detail: String
            if let problem = state.clickHouseError {
                detail = "\(state.waitingRows) rows waiting, ClickHouse did not take them: \(problem)"
            } else if state.connected {
                detail = "consuming log.write (\(state.insertedTotal) stored)"
            } else {
                detail = "not consuming: \(state.natsError ?? "connecting")"
            }
            checks.append(
                HealthCheck(name: "ingest", passing: state.connected && state.clickHouseError == nil, detail: detail)
            )
            return checks
        }
        return router
    }

    /// Migrates (within `startupDeadline`), then ingests and serves until SIGTERM or SIGINT.
    public func run(startupDeadline: Duration = .seconds(30)) async throws {
        try await self.migrate(within: startupDeadline)
        if self.ingest == nil {
            self.logger.warning("no nats.url (NATS_URL): log events are not ingested")
        }
        let application = Application(
            router: self.router(),
            configuration: .init(
                address: .hostname(self.configuration.host, port: self.configuration.port),
                serverName: "lurus-logs"
            ),
            logger: self.logger
        )
        self.logger.info("listening", metadata: ["port": "\(self.configuration.port)"])
        try await ServiceRunner.run(
            [self.tracing, self.admin.refresher, self.ingest, application as any Service].compactMap { $0 },
            drainDeadline: .seconds(10),
            logger: self.logger
        )
    }

    /// Applies the schema and sets retention, trying again while ClickHouse does not answer, for up to
    /// `deadline`; then a start-up error naming the server.
    public func migrate(within deadline: Duration) async throws {
        let migrator = LogSchemaMigrator(client: self.client, logger: self.logger)
        let clock = ContinuousClock()
        let end = clock.now + deadline
        while true {
            do {
                let applied = try await migrator.migrate()
                let retention = try await migrator.setRetention(days: self.configuration.retentionDays)
                let rollupStart = try await migrator.rollupStart()
                self.rollupStart.set(rollupStart)
                self.logger.info(
                    "schema ready",
                    metadata: [
                        "applied": "\(applied)", "retention": "\(retention)",
                        "stats_rollup_from": "\(rollupStart.map { EventTime.iso(milliseconds: $0 * 1000) } ?? "none")",
                    ]
                )
                return
            } catch let error where error.isTransient && clock.now < end {
                self.logger.warning("ClickHouse not ready; trying again", metadata: ["error": "\(error)"])
                try await Task.sleep(for: .seconds(1))
            } catch {
                throw StartupError(
                    "the request log's schema cannot be made in \(self.configuration.clickHouse): \(error)",
                    fix: error.isTransient
                        ? "check that ClickHouse runs there and clickhouse.url is right"
                        : "check clickhouse.user, clickhouse.passwordFile and that the user may create tables in \(self.configuration.clickHouse.database)"
                )
            }
        }
    }
}
