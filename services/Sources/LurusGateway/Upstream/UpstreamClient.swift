import AsyncHTTPClient
import Foundation
import LLMWire
import NIOCore
import NIOHTTP1
import NIOPosix

/// Sends one attempt to a provider: URL, key headers, request id. The HTTP client makes the
/// client span and sends its W3C trace context when tracing is on (`Gateway.build`).
///
/// It keeps one HTTP client per event loop, each with its connections on its own loop, and sends
/// from the client of the loop the request runs on (as Envoy keeps a connection pool per worker).
/// One shared client hands out any idle connection: a request read on one loop would go out and
/// come back on another, two thread wake-ups per request.
struct UpstreamClient: Sendable {
    private let clients: [ObjectIdentifier: HTTPClient]
    private let fallback: HTTPClient

    init(configuration: HTTPClient.Configuration, group: MultiThreadedEventLoopGroup = .singleton) {
        let loops = Array(group.makeIterator())
        let clients = loops.map { HTTPClient(eventLoopGroup: $0, configuration: configuration) }
        self.clients = Dictionary(uniqueKeysWithValues: zip(loops.map { ObjectIdentifier($0) }, clients))
        self.fallback = clients[0]
    }

    /// The client whose connections live on the current event loop.
    private var current: HTTPClient {
        MultiThreadedEventLoopGroup.currentEventLoop.flatMap { self.clients[ObjectIdentifier($0)] } ?? self.fallback
    }

    func shutdown() async {
        for client in self.clients.values {
            try? await client.shutdown()
        }
    }

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
        return try await self.current.execute(request, deadline: .distantFuture)
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
