import Logging
import ServiceLifecycle

/// What ``ServiceMain`` hands a service once the shared start-up is done: its configuration, the
/// settings it was read from, the entry point's logger and the tracing exporter to run.
public struct ServiceStartup<Configuration: ServiceConfiguration>: Sendable {
    /// The service's checked configuration.
    public var configuration: Configuration
    /// The settings (environment, then the YAML file) the configuration came from.
    public var settings: Settings
    /// The one logger of the process, labelled with the service's name; pass it down.
    public var logger: Logger
    /// The tracing exporter's background service when tracing is enabled: run it beside the
    /// server (e.g. in `ServiceRunner.run`).
    public var tracing: (any Service)?

    /// Creates a start-up value.
    public init(configuration: Configuration, settings: Settings, logger: Logger, tracing: (any Service)?) {
        self.configuration = configuration
        self.settings = settings
        self.logger = logger
        self.tracing = tracing
    }
}
