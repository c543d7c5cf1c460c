import Foundation
import Prometheus

/// Which release a service runs, as Prometheus's convention has it: `lurus_build_info{service, release} 1`.
/// `lurusctl deploy` sets `LURUS_RELEASE` (in the image under K3s, in the deployment's environment file
/// under systemd); a service started by hand reports `release="unknown"`.
public enum BuildInfo {
    public static let releaseVariable = "LURUS_RELEASE"
    public static let metric = "lurus_build_info"

    /// The release in `environment`, or `unknown`.
    public static func release(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let value = environment[self.releaseVariable] ?? ""
        return value.isEmpty ? "unknown" : value
    }

    /// Sets the gauge in `registry`.
    public static func register(
        in registry: PrometheusCollectorRegistry,
        service: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        registry.makeGauge(
            name: self.metric,
            labels: [("service", service), ("release", self.release(environment: environment))],
            help: "1, labelled with the service and the lurusctl release it runs"
        ).set(to: 1.0)
    }
}
