import Logging
import OTel
import ServiceLifecycle

/// Tracing over OTLP/HTTP (Jaeger accepts it on :4318) with W3C trace context, or nothing.
public enum TracingSetup {
    /// Bootstraps the process-wide tracer when `enabled`; returns the exporter's background service,
    /// to run beside the server. Call once per process.
    public static func bootstrap(
        enabled: Bool,
        endpoint: String?,
        serviceName: String,
        logger: Logger
    ) throws(StartupError) -> (any Service)? {
        guard enabled else { return nil }
        guard let endpoint else {
            throw StartupError(
                "TRACING_ENABLED is true but TRACING_ENDPOINT is not set",
                fix: "set it to the collector's OTLP/HTTP address, e.g. http://jaeger:4318"
            )
        }
        var configuration = OTel.Configuration.default
        configuration.serviceName = serviceName
        configuration.propagators = [.traceContext]
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.enabled = true
        configuration.traces.exporter = .otlp
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        configuration.traces.otlpExporter.endpoint = Self.tracesURL(endpoint)
        configuration.traces.batchSpanProcessor.scheduleDelay = .milliseconds(500)
        configuration.diagnosticLogger = .custom(logger)
        do {
            return try OTel.bootstrap(configuration: configuration, environment: [:])
        } catch {
            throw StartupError("tracing cannot start: \(error)", fix: "check TRACING_ENDPOINT")
        }
    }

    /// OTLP/HTTP wants the full traces path; accept a bare collector address too.
    static func tracesURL(_ endpoint: String) -> String {
        let trimmed = endpoint.withoutTrailingSlash
        return trimmed.hasSuffix("/v1/traces") ? trimmed : trimmed + "/v1/traces"
    }
}
