import AsyncHTTPClient
import Foundation
import LLMWire
import NIOCore
import NIOHTTP1
import Tracing

/// Sends one attempt to a provider: URL, key headers, request id. With tracing on, each attempt is
/// a client span whose W3C trace context goes to the provider. Each attempt goes out through the
/// client of the event loop it runs on (`LoopLocalClients`); its answer arrives as an
/// `UpstreamStream`.
struct UpstreamClient: Sendable {
    let clients: LoopLocalClients
    /// Set when tracing is on (`Gateway.build`).
    let tracer: (any Tracer)?

    /// A provider's status and headers, and its body as it arrives.
    struct Answer: Sendable {
        let head: HTTPResponseHead
        let body: UpstreamStream

        var status: Int { Int(self.head.status.code) }
    }

    /// Starts the request; returns once the provider's status and headers have arrived. The
    /// provider's idle timeout (the client's read timeout) bounds every wait after that.
    func send(
        _ candidate: Candidate,
        body: [UInt8],
        stream: Bool,
        requestID: String
    ) async throws -> Answer {
        let provider = candidate.provider
        let url = provider.baseURL + provider.protocol.upstreamPath(model: candidate.upstreamModel, stream: stream)
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "accept", value: stream ? "text/event-stream" : "application/json")
        headers.add(name: "user-agent", value: "lurus-gateway")
        headers.add(name: "x-request-id", value: requestID)
        for header in provider.protocol.authenticationHeaders(apiKey: provider.apiKey.value) {
            headers.replaceOrAdd(name: header.name, value: header.value)
        }
        let span = self.tracer?.startSpan("POST", ofKind: .client)
        var request: HTTPClient.Request
        do {
            request = try HTTPClient.Request(url: url, method: .POST, headers: headers, body: .bytes(body))
        } catch {
            span?.recordError(error)
            span?.end()
            throw error
        }
        if let span, let tracer = self.tracer {
            // Host, port and path only: a base URL's user info must not reach the traces.
            span.attributes["http.request.method"] = "POST"
            span.attributes["server.address"] = request.host
            span.attributes["server.port"] = request.port
            span.attributes["url.path"] = request.url.path
            span.attributes["lurus.provider"] = provider.name
            tracer.inject(span.context, into: &request.headers, using: HeadersInjector())
        }
        let answer = UpstreamStream(span: span)
        answer.attach(self.clients.current.execute(request: request, delegate: answer, eventLoop: .indifferent))
        return Answer(head: try await answer.head(), body: answer)
    }

    /// Writes trace context into request headers.
    private struct HeadersInjector: Injector {
        func inject(_ value: String, forKey key: String, into headers: inout HTTPHeaders) {
            headers.replaceOrAdd(name: key, value: value)
        }
    }

    /// Maps a transport error to a failure: connect problems, idle timeouts, broken streams. Once
    /// the provider's headers have arrived, anything but a timeout is a broken stream.
    static func failure(from error: any Error, afterHeaders: Bool = false) -> UpstreamFailure {
        if let error = error as? AnswerTooLarge { return .dropped(error.description) }
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
