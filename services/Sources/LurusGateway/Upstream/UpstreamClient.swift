import AsyncHTTPClient
import Foundation
import LLMWire
import NIOCore
import NIOHTTP1

/// Sends one attempt to a provider: URL, key headers, request id. The HTTP client makes the
/// client span and sends its W3C trace context when tracing is on (`Gateway.build`). Each attempt
/// goes out through the client of the event loop it runs on (`LoopLocalClients`).
struct UpstreamClient: Sendable {
    let clients: LoopLocalClients

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
        request.body = .bytes(ByteBuffer(bytes: body))
        return try await self.clients.current.execute(request, deadline: .distantFuture)
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
