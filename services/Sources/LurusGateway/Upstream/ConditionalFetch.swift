import AsyncHTTPClient
import NIOCore

/// `GET url` with `If-None-Match: etag` when there is one (and the service token, when given): the body and its `ETag`, or nil for a 304 (what
/// the caller holds is current). The catalog and the client keys are both refreshed this way.
enum ConditionalFetch {
    /// Why the answer could not be used, for the caller's own error.
    struct Failure: Error {
        var problem: String
    }

    static func get(
        _ url: String,
        ifNoneMatch etag: String?,
        bearer: String?,
        client: HTTPClient,
        timeout: Duration
    ) async throws(Failure) -> (body: ByteBuffer, etag: String?)? {
        do {
            var request = HTTPClientRequest(url: url)
            if let etag { request.headers.add(name: "If-None-Match", value: etag) }
            if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
            let response = try await client.execute(request, timeout: .init(timeout))
            if response.status == .notModified && etag != nil { return nil }
            guard response.status == .ok else {
                throw Failure(problem: "answered HTTP \(response.status.code)")
            }
            let body = try await response.body.collect(upTo: 16 << 20)
            return (body, response.headers.first(name: "ETag"))
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(problem: "unreachable (\(error))")
        }
    }
}
