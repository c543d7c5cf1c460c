import AsyncHTTPClient
import Foundation
import Hummingbird
import Instrumentation
import Logging
import LurusNATS
import LurusServiceKit
import NIOCore
import ServiceLifecycle

/// The assembled gateway: router, background services and the HTTP clients they share.
public struct Gateway {
    public let configuration: GatewayConfiguration
    public let router: Router<BasicRequestContext>
    /// Background parts: the usage publisher and the catalog refresher (and tracing when enabled).
    public let services: [any Service]
    public let publisher: UsagePublisher
    public let metrics: GatewayMetrics
    /// For the provider service's catalog.
    let httpClient: HTTPClient
    /// For provider calls and balance checks, on each request's own event loop.
    let loopClients: LoopLocalClients
    let logger: Logger

    /// Checks the configuration's files, loads the catalog and keys, opens the spool: every problem
    /// is a `StartupError` naming what to fix, before any port is opened.
    public static func build(
        configuration: GatewayConfiguration,
        logger: Logger,
        tracing: (any Service)? = nil
    ) async throws(StartupError) -> Gateway {
        let natsConfiguration = try Self.natsConfiguration(configuration)
        var clientConfiguration = HTTPClient.Configuration(
            timeout: .init(
                connect: .nanoseconds(Int64(configuration.connectTimeout.nanoseconds)),
                read: .nanoseconds(Int64(configuration.idleTimeout.nanoseconds))
            ),
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 256),
            decompression: .disabled
        )
        // A refused connection must move on to the next provider at once, not retry until the
        // connect timeout.
        clientConfiguration.connectionPool.retryConnectionEstablishment = false
        // The gateway makes the client span of a provider call itself (`UpstreamClient`): the HTTP
        // client's own spans would double it.
        clientConfiguration.tracing.tracer = nil
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        // The catalog's background refreshes use the shared client; calls on a request's path use
        // the client of the request's own event loop.
        let loopClients = LoopLocalClients(configuration: clientConfiguration)
        do throws(StartupError) {
            let source = CatalogSource(
                serviceURL: configuration.providerServiceURL,
                file: configuration.catalogFile,
                httpClient: httpClient,
                token: configuration.providerToken
            )
            let catalog = try await source.initial(logger: logger)
            logger.info(
                "catalog loaded",
                metadata: ["source": "\(catalog.source)", "providers": "\(catalog.providers.count)"]
            )
            let keySource = ClientKeySource(
                billingURL: configuration.billingServiceURL,
                file: configuration.keysFile,
                httpClient: httpClient,
                token: configuration.billingToken
            )
            let keys = try await keySource.initial(logger: logger)
            logger.info("client keys loaded", metadata: ["source": "\(keys.source)", "keys": "\(keys.current.count)"])
            let store = CatalogStore(catalog)
            let metrics = GatewayMetrics()
            let publisher: UsagePublisher
            do {
                publisher = try UsagePublisher(
                    natsConfiguration: natsConfiguration,
                    spoolDirectory: configuration.spoolDirectory,
                    metrics: metrics,
                    logger: logger
                )
            } catch {
                throw StartupError("usage spool: \(error)", fix: "check spool.directory (SPOOL_DIRECTORY)")
            }
            let credit = CreditLeases(
                billing: Reservations(
                    serviceURL: configuration.billingServiceURL,
                    clients: loopClients,
                    timeout: configuration.billingTimeout,
                    token: configuration.billingToken
                ),
                policy: LeasePolicy(window: configuration.billingLeaseWindow),
                logger: logger
            )
            let cooldowns = Cooldowns()
            let proxy = Proxy(
                catalog: store,
                cooldowns: cooldowns,
                upstream: UpstreamClient(
                    clients: loopClients,
                    tracer: tracing == nil ? nil : InstrumentationSystem.tracer
                ),
                credit: credit,
                billingSkipCheck: configuration.billingSkipCheck,
                defaultOutputTokens: configuration.billingDefaultOutputTokens,
                defaultRest: configuration.cooldown,
                metrics: metrics,
                usageSink: { publisher.submit($0) },
                logger: logger
            )
            let router = Self.buildRouter(
                routes: GatewayRoutes(keys: keys, proxy: proxy, bodyLimit: configuration.bodyLimit),
                metrics: metrics,
                cooldowns: cooldowns,
                publisher: publisher,
                store: store,
                tracing: tracing != nil
            )
            let refresher = CatalogRefresher(
                source: source,
                store: store,
                interval: configuration.catalogRefresh,
                logger: logger
            )
            let keyRefresher = ClientKeyRefresher(
                source: keySource,
                store: keys,
                interval: configuration.keysRefresh,
                logger: logger
            )
            return Gateway(
                configuration: configuration,
                router: router,
                services: [
                    tracing, publisher, configuration.providerServiceURL == nil ? nil : refresher,
                    configuration.billingServiceURL == nil ? nil : keyRefresher,
                    configuration.billingServiceURL == nil ? nil : credit,
                ].compactMap { $0 },
                publisher: publisher,
                metrics: metrics,
                httpClient: httpClient,
                loopClients: loopClients,
                logger: logger
            )
        } catch {
            try? await httpClient.shutdown()
            await loopClients.shutdown()
            throw error
        }
    }

    static func buildRouter(
        routes: GatewayRoutes,
        metrics: GatewayMetrics,
        cooldowns: Cooldowns,
        publisher: UsagePublisher,
        store: CatalogStore,
        tracing: Bool
    ) -> Router<BasicRequestContext> {
        let router = Router()
        if tracing {
            // A Gemini client may send its key as `?key=`: the span's url.query must not carry it.
            router.middlewares.add(TracingMiddleware(redactingQueryParameters: ["key"]))
        }
        routes.add(to: router)
        router.addMetricsRoute(service: "lurus-gateway", registry: metrics.registry) {
            let providers = store.current.providers.map(\.name)
            metrics.providerAvailability(
                Dictionary(providers.map { ($0, cooldowns.remaining($0) == nil) }, uniquingKeysWith: { $0 && $1 })
            )
        }
        router.addHealthRoute(service: "lurus-gateway") {
            let state = await publisher.state
            let catalog = store.current
            return [
                HealthCheck(
                    name: "catalog",
                    passing: !catalog.providers.isEmpty,
                    detail: "\(catalog.providers.count) providers from \(catalog.source)"
                        + (catalog.skipped.isEmpty
                            ? ""
                            : "; left out (key unreadable here): "
                                + catalog.skipped.joined(separator: "; "))
                ),
                // NATS being down does not fail health: events are spooled, requests still served.
                HealthCheck(
                    name: "usage_events",
                    passing: true,
                    detail: state.connected
                        ? (state.spoolEmpty ? "NATS connected" : "NATS connected, replaying spool")
                        : "NATS down, spooling"
                ),
            ]
        }
        return router
    }

    static func natsConfiguration(_ configuration: GatewayConfiguration) throws(StartupError) -> NATSConfiguration {
        var nats: NATSConfiguration
        do {
            nats = try NATSConfiguration(url: configuration.natsURL ?? "")
        } catch {
            throw StartupError("nats.url (NATS_URL): \(error)", fix: "use nats://HOST:PORT")
        }
        nats.name = "lurus-gateway"
        if let user = configuration.natsUser { nats.user = user }
        if let file = configuration.natsPasswordFile {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw StartupError("nats.passwordFile \(file) cannot be read", fix: "check NATS_PASSWORD_FILE")
            }
            nats.password = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return nats
    }

    /// The HTTP server for this gateway.
    public func application() -> some ApplicationProtocol {
        Application(
            router: self.router,
            configuration: .init(
                address: .hostname(self.configuration.host, port: self.configuration.port),
                serverName: "lurus-gateway"
            ),
            logger: self.logger
        )
    }

    /// Serves until SIGTERM/SIGINT, then drains in-flight requests (up to the drain deadline),
    /// flushes usage events to NATS or the spool, and closes the HTTP client.
    public func run() async throws {
        do {
            try await ServiceRunner.run(
                self.services + [self.application()],
                drainDeadline: self.configuration.drainDeadline,
                logger: self.logger
            )
        } catch {
            await self.shutdown()
            throw error
        }
        await self.shutdown()
    }

    /// Closes the HTTP clients (for tests that do not call `run`).
    public func shutdown() async {
        try? await self.httpClient.shutdown()
        await self.loopClients.shutdown()
    }
}
