/// What ``ServiceMain`` needs from a service's configuration: how to read it, and the settings
/// of the start-up it does for every service (log level, tracing).
public protocol ServiceConfiguration: Sendable {
    /// Reads and checks every setting; the first bad one is a `StartupError` naming it.
    init(settings: Settings) throws(StartupError)
    /// A swift-log level name: trace, debug, info, notice, warning, error or critical.
    var logLevel: String { get }
    /// Whether to export traces over OTLP/HTTP.
    var tracingEnabled: Bool { get }
    /// The collector's OTLP/HTTP address; required when tracing is enabled.
    var tracingEndpoint: String? { get }
}
