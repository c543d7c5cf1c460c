import Hummingbird
import Logging
import LurusAdminAuth

/// `GET /v1/catalog`: the gateway's service token when `gateway.tokenSha256` is set (the gateway calls it
/// every 30 s with a 2 s timeout); the
/// version as the entity tag, 304 for an `If-None-Match` naming it.
struct CatalogRoute: Sendable {
    let cache: CatalogCache
    let metrics: ProviderMetrics

    func add(to router: some RouterMethods<AdminContext>) {
        router.get("v1/catalog") { request, context -> Response in
            let answer: (snapshot: CatalogSnapshot, source: CatalogCache.Source)
            do {
                answer = try await self.cache.current()
            } catch {
                context.logger.error("catalog unavailable", metadata: ["error": "\(String(reflecting: error))"])
                return APIError(.serviceUnavailable, "the catalog cannot be read from PostgreSQL now").response()
            }
            let snapshot = answer.snapshot
            if snapshot.isMatched(byIfNoneMatch: request.headers[.ifNoneMatch]) {
                self.metrics.catalogNotModified.increment()
                return Response(status: .notModified, headers: [.eTag: snapshot.etag, .cacheControl: "no-cache"])
            }
            self.metrics.answered(from: answer.source)
            return Response(
                status: .ok,
                headers: [.contentType: "application/json", .eTag: snapshot.etag, .cacheControl: "no-cache"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: snapshot.body))
            )
        }
    }
}
