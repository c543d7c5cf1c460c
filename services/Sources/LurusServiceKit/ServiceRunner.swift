import Logging
import ServiceLifecycle

/// Runs a service's parts until SIGTERM or SIGINT, then shuts them down in reverse order.
///
/// List the HTTP server last: it stops first, draining in-flight requests (streams included) for up
/// to `drainDeadline`; the parts before it (event publishers) then flush what the requests left.
public enum ServiceRunner {
    public static func run(
        _ services: [any Service],
        drainDeadline: Duration,
        logger: Logger
    ) async throws {
        var configuration = ServiceGroupConfiguration(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        configuration.maximumGracefulShutdownDuration = drainDeadline
        configuration.maximumCancellationDuration = .seconds(5)
        let group = ServiceGroup(configuration: configuration)
        try await group.run()
    }
}
