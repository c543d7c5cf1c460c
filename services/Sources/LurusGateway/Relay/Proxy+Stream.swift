import Hummingbird
import LLMWire
import LurusEvents
import NIOCore
import Synchronization

/// Streams: read up to the first content (so a failure before it can still move on to the next
/// provider), then relay the rest to the client as it arrives.
extension Proxy {
    /// Reads the provider's stream until the first content (or its end) so a failure before that
    /// can still move on; then answers with a body that relays the rest as it arrives.
    func openStream(
        _ response: UpstreamClient.Answer,
        candidate: Candidate,
        request: ClientRequest,
        ledger: RequestLedger
    ) async -> Attempt {
        var ledger = ledger
        var relay: StreamRelay
        do {
            relay = try StreamRelay(request: request, providerProtocol: candidate.provider.protocol)
        } catch {
            return .failed(.dropped(error.description), clientAnswer: nil)
        }
        var pending: [UInt8] = []
        do {
            while !relay.sawContent && !relay.sawEnd {
                guard let chunk = try await response.body.next() else {
                    let last = relay.finish()
                    if let error = last.errorBeforeContent { return .failed(.streamError(error), clientAnswer: nil) }
                    pending += last.output
                    if relay.sawContent || relay.sawEnd || candidate.provider.protocol == .gemini { break }
                    return .failed(.dropped("ended without content"), clientAnswer: nil)
                }
                let step = relay.consume(chunk.readableBytesView)
                if let error = step.errorBeforeContent {
                    return .failed(.streamError(error), clientAnswer: self.streamErrorAnswer(error, request: request))
                }
                pending += step.output
            }
        } catch {
            return .failed(UpstreamClient.failure(from: error, afterHeaders: true), clientAnswer: nil)
        }
        ledger.firstContent = relay.sawContent ? .now : nil
        ledger.usage = relay.usage
        let lease = Lease(response.body, proxy: self, ledger: ledger)
        let proxy = self
        let opened = relay
        let firstBytes = pending
        return .answered(
            Response(
                status: .ok,
                headers: [
                    .contentType: "text/event-stream", .cacheControl: "no-cache",
                    .init("x-accel-buffering")!: "no", .init("x-request-id")!: ledger.requestID,
                ],
                body: ResponseBody { writer in
                    let (end, usage) = await proxy.relayRest(
                        first: firstBytes,
                        lease: lease,
                        relay: opened,
                        writer: &writer,
                        protocol: request.clientProtocol
                    )
                    lease.settle(end, usage: usage)
                    if end.outcome != .clientClosed {
                        try? await writer.finish(nil)
                    }
                }
            )
        )
    }

    /// The client's answer when a stream's error before content is the client's own fault.
    func streamErrorAnswer(_ error: StreamError, request: ClientRequest) -> Response {
        ErrorResponses.response(.invalidRequest, message: error.message, protocol: request.clientProtocol)
    }

    struct StreamEnd {
        var status: Int
        var outcome: Outcome
        var error: String?
    }

    /// Relays until the provider's stream ends, the provider fails (then the protocol's error event
    /// ends the stream) or the client goes away (then the provider's request is dropped).
    ///
    /// Each wake-up writes everything the provider's connection has read since the last one, so
    /// events that arrived together leave together and none waits for a later one.
    func relayRest(
        first: [UInt8],
        lease: Lease,
        relay opened: StreamRelay,
        writer: inout any ResponseBodyWriter,
        protocol clientProtocol: APIProtocol
    ) async -> (StreamEnd, TokenUsage) {
        let stream = lease.stream
        // Whatever happens here, the provider's request ends with the relay.
        defer { stream.cancel() }
        var relay = opened
        var pending = first
        var failure: String?
        while true {
            if !pending.isEmpty {
                do {
                    try await writer.write(ByteBuffer(bytes: pending))
                } catch {
                    return (StreamEnd(status: 499, outcome: .clientClosed), relay.usage)
                }
                pending = []
            }
            // The provider's error event has reached the client: the stream is over, whatever the
            // provider does with its connection.
            if relay.relayedError { break }
            let chunk: ByteBuffer?
            do {
                chunk = try await stream.next()
            } catch {
                if Task.isCancelled { return (StreamEnd(status: 499, outcome: .clientClosed), relay.usage) }
                failure = UpstreamClient.failure(from: error, afterHeaders: true).summary
                break
            }
            guard let chunk else { break }
            pending = relay.consume(chunk.readableBytesView).output
        }
        pending += relay.finish().output
        if failure == nil && !relay.relayedError && !relay.sawEnd && clientProtocol != .gemini
            && relay.tracker.apiProtocol != .gemini
        {
            failure = "the provider's stream ended early"
        }
        if let failure, !relay.relayedError {
            pending += ErrorShape.streamEvent(
                for: .upstream,
                message: "provider stream failed after content began: \(failure)",
                protocol: clientProtocol
            )
        }
        if !pending.isEmpty, (try? await writer.write(ByteBuffer(bytes: pending))) == nil {
            return (StreamEnd(status: 499, outcome: .clientClosed), relay.usage)
        }
        if relay.relayedError {
            return (StreamEnd(status: 200, outcome: .streamError, error: relay.tracker.error?.message), relay.usage)
        }
        if let failure {
            return (StreamEnd(status: 200, outcome: .streamError, error: failure), relay.usage)
        }
        return (StreamEnd(status: 200, outcome: .ok), relay.usage)
    }

    /// Holds a provider's stream for the response body that relays it, and the request's accounting
    /// until that body settles it. A body that never runs (the client left before the head was
    /// written, so Hummingbird drops the response unwritten) still ends its request once: releasing the
    /// lease drops the provider's request and accounts it as closed by the client, with the usage read
    /// up to the first content.
    final class Lease: Sendable {
        let stream: UpstreamStream
        private let unsettled: Mutex<(proxy: Proxy, ledger: RequestLedger)?>

        init(_ stream: UpstreamStream, proxy: Proxy, ledger: RequestLedger) {
            self.stream = stream
            self.unsettled = Mutex((proxy, ledger))
        }

        /// Accounts the request as its relay ended, with the usage the relay read; once.
        func settle(_ end: StreamEnd, usage: TokenUsage?) {
            let taken = self.unsettled.withLock { state in
                defer { state = nil }
                return state
            }
            guard let taken else { return }
            var ledger = taken.ledger
            if let usage { ledger.usage = usage }
            taken.proxy.account(ledger, status: end.status, outcome: end.outcome, error: end.error)
        }

        deinit {
            self.stream.cancel()
            self.settle(
                StreamEnd(
                    status: 499,
                    outcome: .clientClosed,
                    error: "the client left before the answer's head was written"
                ),
                usage: nil
            )
        }
    }
}
