import Foundation
import Hummingbird
import Prometheus

/// The routes every bundled service answers besides its own: `/health` and `/metrics`.
extension Router {
    /// Adds `GET /health`, answering 200 with `{"status":"ok",…}` when every check passes and 503
    /// with the failing checks named otherwise. Checks must be quick: they read state, never a network.
    public func addHealthRoute(service: String, checks: @escaping @Sendable () async -> [HealthCheck]) {
        self.get("health") { _, _ -> Response in
            let results = await checks()
            let healthy = results.allSatisfy(\.passing)
            var body: [String: Any] = ["service": service, "status": healthy ? "ok" : "failing"]
            body["checks"] = Dictionary(
                uniqueKeysWithValues: results.map { ($0.name, ["ok": $0.passing, "detail": $0.detail]) }
            )
            let data =
                (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()
            return Response(
                status: healthy ? .ok : .serviceUnavailable,
                headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: data))
            )
        }
    }

    /// Adds `GET /metrics` in the Prometheus text format from `registry`, with the service's
    /// `lurus_build_info` (`BuildInfo`); `refresh` first sets what is read only when scraped (state that
    /// changes without an event, such as a rest running out).
    public func addMetricsRoute(
        service: String,
        registry: PrometheusCollectorRegistry,
        refresh: (@Sendable () -> Void)? = nil
    ) {
        BuildInfo.register(in: registry, service: service)
        self.get("metrics") { _, _ -> Response in
            refresh?()
            var buffer: [UInt8] = []
            buffer.reserveCapacity(16_384)
            registry.emit(into: &buffer)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: buffer))
            )
        }
    }
}

/// One named health check's outcome.
public struct HealthCheck: Sendable {
    public var name: String
    public var passing: Bool
    public var detail: String

    public init(name: String, passing: Bool, detail: String) {
        self.name = name
        self.passing = passing
        self.detail = detail
    }
}
