import AsyncHTTPClient
import Foundation
import Instrumentation
import LLMWire
import NIOCore
import NIOHTTP1
import ServiceContextModule
import Tracing

/// Sends one attempt to a provider: URL, key headers, W3C trace context, request id.
struct UpstreamClient: Sendable {
    let httpClient: HTTPClient

    /// Starts the request; returns once the provider's status and headers have arrived. The
    /// provider's idle timeout (the client's read timeout) bounds every wait after that.
    func send(
        _ candidate: Candidate,
        body: [UInt8],
        stream: Bool,
        requestID: String
    ) async throws -> HTTPClientResponse {
        let provider = candidate.provider
        var request = HTTPClientRequest(
            url: provider.baseURL + provider.protocol.upstreamPath(model: candidate.upstreamModel, stream: stream)
        )
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "accept", value: stream ? "text/event-stream" : "application/json")
        request.headers.add(name: "user-agent", value: "lurus-gateway")
        request.headers.add(name: "x-request-id", value: requestID)
        for header in provider.protocol.authenticationHeaders(apiKey: provider.apiKey.value) {
            request.headers.replaceOrAdd(name: header.name, value: header.value)
        }
        InstrumentationSystem.instrument.inject(
            ServiceContext.current ?? .topLevel,
            into: &request.headers,
            using: HTTPHeadersInjector()
        )
        request.body = .bytes(ByteBuffer(bytes: body))
        return try await self.httpClient.execute(request, deadline: .distantFuture)
    }

    /// Maps a transport error to a failure: connect problems, idle timeouts, broken streams. Once
    /// the provider's headers have arrived, anything but a timeout is a broken stream.
    static func failure(from error: any Error, afterHeaders: Bool = false) -> UpstreamFailure {
        if afterHeaders {
            if let error = error as? HTTPClientError, error == .readTimeout || error == .deadlineExceeded {
                return .timeout
            }
            return .dropped("connection lost: \(error)")
        }
        guard let error = error as? HTTPClientError else {
            if let channel = error as? ChannelError, case .connectTimeout = channel { return .connect("timed out") }
            return .connect(String(describing: error))
        }
        switch error {
        case .readTimeout, .deadlineExceeded: return .timeout
        case .connectTimeout: return .connect("timed out")
        case .remoteConnectionClosed, .cancelled: return .dropped("connection closed")
        default: return .connect(String(describing: error))
        }
    }
}

/// Writes trace context into upstream request headers.
struct HTTPHeadersInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout HTTPHeaders) {
        carrier.replaceOrAdd(name: key, value: value)
    }
}
