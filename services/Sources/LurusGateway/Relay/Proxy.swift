import AsyncHTTPClient
import Foundation
import Hummingbird
import LLMWire
import Logging
import LurusEvents
import NIOCore

/// Serves one parsed client request: pick candidates, check the balance, try providers in order
/// until one answers, relay or translate its answer, and account for it.
struct Proxy: Sendable {
    let catalog: CatalogStore
    let cooldowns: Cooldowns
    let upstream: UpstreamClient
    let balance: BalanceCheck
    let billingSkipCheck: Bool
    let defaultRest: Duration
    let metrics: GatewayMetrics
    let usageSink: @Sendable (UsageRecord) -> Void
    let logger: Logger

    func serve(_ request: ClientRequest, keyID: String, requestID: String) async -> Response {
        var ledger = RequestLedger(
            requestID: requestID,
            keyID: keyID,
            platform: request.clientProtocol,
            model: request.model,
            stream: request.stream
        )
        let all = self.catalog.current.candidates(for: request.model)
        guard !all.isEmpty else {
            ledger.model = "unknown"
            return self.refuse(
                .notFound,
                "model \"\(request.model)\" is not served here; GET /v1/models lists the models",
                ledger: ledger,
                outcome: .clientError
            )
        }
        let servable = all.filter { Self.canServe(client: request.clientProtocol, provider: $0.provider.protocol) }
        guard !servable.isEmpty else {
            let error = WireError.unsupportedPair(client: request.clientProtocol, provider: all[0].provider.protocol)
            return self.refuse(.invalidRequest, error.description, ledger: ledger, outcome: .clientError)
        }
        let ordered = CandidateOrder.arrange(servable, resting: { self.cooldowns.remaining($0) != nil })
        guard !ordered.isEmpty else {
            let wait = servable.compactMap { self.cooldowns.remaining($0.provider.name) }.min() ?? .seconds(1)
            let seconds = max(1, Int(wait.components.seconds) + 1)
            var response = self.refuse(
                .unavailable,
                "every provider for model \"\(request.model)\" is resting after errors; retry in \(seconds) s",
                ledger: ledger,
                outcome: .upstreamError
            )
            response.headers[.retryAfter] = String(seconds)
            return response
        }
        switch await self.balance.verdict(for: keyID) {
        case .allowed:
            break
        case .refused:
            return self.refuse(
                .insufficientBalance,
                "the balance of this key is used up; top it up to continue",
                ledger: ledger,
                outcome: .refused
            )
        case .unavailable(let reason):
            if !self.billingSkipCheck {
                return self.refuse(
                    .unavailable,
                    "cannot check the balance: \(reason)",
                    ledger: ledger,
                    outcome: .refused
                )
            }
            self.logger.debug("balance not checked", metadata: ["reason": "\(reason)"])
        }

        var failures: [(String, UpstreamFailure)] = []
        for candidate in ordered {
            ledger.candidate = candidate
            ledger.attempts += 1
            let body: [UInt8]
            do {
                body = try request.upstreamBody(
                    providerProtocol: candidate.provider.protocol,
                    upstreamModel: candidate.upstreamModel
                )
            } catch {
                return self.refuse(.invalidRequest, error.description, ledger: ledger, outcome: .clientError)
            }
            let attempt = await self.attempt(candidate, body: body, request: request, ledger: ledger)
            switch attempt {
            case .answered(let response):
                return response
            case .failed(let failure, let clientAnswer):
                let decision = FailurePolicy.decide(failure, defaultRest: self.defaultRest)
                switch decision {
                case .answerClient:
                    guard var answer = clientAnswer else {
                        return self.refuse(.invalidRequest, failure.summary, ledger: ledger, outcome: .clientError)
                    }
                    answer.headers[.init("x-request-id")!] = requestID
                    self.account(
                        ledger,
                        status: Int(answer.status.code),
                        outcome: .clientError,
                        error: failure.summary
                    )
                    return answer
                case .failover(let rest):
                    if let rest { self.cooldowns.coolDown(candidate.provider.name, for: rest) }
                    self.metrics.failover(
                        provider: candidate.provider.name,
                        model: candidate.model,
                        reason: failure.reason
                    )
                    self.logger.warning(
                        "provider failed; trying the next",
                        metadata: [
                            "request_id": "\(requestID)", "provider": "\(candidate.provider.name)",
                            "failure": "\(failure.summary)",
                        ]
                    )
                    failures.append((candidate.provider.name, failure))
                }
            }
        }
        let kind = FailurePolicy.finalKind(failures.map(\.1))
        let message =
            "every provider for model \"\(request.model)\" failed: "
            + failures.map { "\($0.0): \($0.1.summary)" }.joined(separator: "; ")
        var response = self.refuse(kind, message, ledger: ledger, outcome: .upstreamError)
        if kind == .rateLimited || kind == .overloaded,
            let wait = ordered.compactMap({ self.cooldowns.remaining($0.provider.name) }).min()
        {
            response.headers[.retryAfter] = String(max(1, Int(wait.components.seconds)))
        }
        return response
    }

    static func canServe(client: APIProtocol, provider: APIProtocol) -> Bool {
        client == provider || Set([client, provider]) == [.openai, .anthropic]
    }

    // MARK: One attempt

    enum Attempt {
        case answered(Response)
        /// The attempt failed; `clientAnswer` is what to send when the failure is the client's own.
        case failed(UpstreamFailure, clientAnswer: Response?)
    }

    private func attempt(
        _ candidate: Candidate,
        body: [UInt8],
        request: ClientRequest,
        ledger: RequestLedger
    ) async -> Attempt {
        let response: UpstreamClient.Answer
        do {
            response = try await self.upstream.send(
                candidate,
                body: body,
                stream: request.stream,
                requestID: ledger.requestID
            )
        } catch {
            return .failed(UpstreamClient.failure(from: error), clientAnswer: nil)
        }
        let outcome: Attempt
        if !(200..<300).contains(response.status) {
            outcome = await self.failedStatus(response, candidate: candidate, request: request, ledger: ledger)
        } else if request.stream {
            outcome = await self.openStream(response, candidate: candidate, request: request, ledger: ledger)
        } else {
            outcome = await self.complete(response, candidate: candidate, request: request, ledger: ledger)
        }
        // A failed attempt reads no further: the provider's request is dropped.
        if case .failed = outcome { response.body.cancel() }
        return outcome
    }

    private func failedStatus(
        _ response: UpstreamClient.Answer,
        candidate: Candidate,
        request: ClientRequest,
        ledger: RequestLedger
    ) async -> Attempt {
        let code = response.status
        let bytes = (try? await response.body.collect(upTo: 1 << 20)) ?? ByteBuffer()
        let providerProtocol = candidate.provider.protocol
        let error = (try? JSONValue.parse(bytes.readableBytesView)).flatMap {
            ResponseInspection.error(in: $0, protocol: providerProtocol)
        }
        let failure = UpstreamFailure.status(
            code,
            retryAfter: FailurePolicy.retryAfter(response.head.headers.first(name: "retry-after")),
            error: error
        )
        // The client's own error goes back as the provider said it, in the client's format.
        let answer: Response
        if request.clientProtocol == providerProtocol, bytes.readableBytes > 0 {
            answer = Response(
                status: .init(code: code),
                headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: bytes)
            )
        } else {
            let kind: ErrorKind = code == 404 ? .notFound : code == 413 ? .requestTooLarge : .invalidRequest
            let text = "provider \(candidate.provider.name) refused the request: \(error?.message ?? "HTTP \(code)")"
            answer = ErrorResponses.response(kind, message: text, protocol: request.clientProtocol)
        }
        return .failed(failure, clientAnswer: answer)
    }

    // MARK: Complete answers

    private func complete(
        _ response: UpstreamClient.Answer,
        candidate: Candidate,
        request: ClientRequest,
        ledger: RequestLedger
    ) async -> Attempt {
        var ledger = ledger
        let bytes: ByteBuffer
        do {
            bytes = try await response.body.collect(upTo: 64 << 20)
        } catch {
            return .failed(UpstreamClient.failure(from: error, afterHeaders: true), clientAnswer: nil)
        }
        let providerProtocol = candidate.provider.protocol
        let parsed = try? JSONValue.parse(bytes.readableBytesView)
        if let parsed {
            ledger.usage = ResponseInspection.usage(in: parsed, protocol: providerProtocol)
        }
        ledger.firstContent = .now
        var body = bytes
        if request.clientProtocol != providerProtocol {
            guard let parsed,
                let translated = try? ResponseTranslation.translate(
                    parsed,
                    from: providerProtocol,
                    to: request.clientProtocol,
                    model: request.model
                )
            else {
                return .failed(
                    .dropped("the answer could not be read as \(providerProtocol.rawValue)"),
                    clientAnswer: nil
                )
            }
            body = ByteBuffer(bytes: translated.serialized())
        }
        self.account(ledger, status: 200, outcome: .ok)
        return .answered(
            Response(
                status: .ok,
                headers: [.contentType: "application/json", .init("x-request-id")!: ledger.requestID],
                body: ResponseBody(byteBuffer: body)
            )
        )
    }

    // MARK: Streams

    /// Reads the provider's stream until the first content (or its end) so a failure before that
    /// can still move on; then answers with a body that relays the rest as it arrives.
    private func openStream(
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
        let lease = Lease(response.body)
        let proxy = self
        let opened = relay
        let firstBytes = pending
        let opening = ledger
        return .answered(
            Response(
                status: .ok,
                headers: [
                    .contentType: "text/event-stream", .cacheControl: "no-cache",
                    .init("x-accel-buffering")!: "no", .init("x-request-id")!: ledger.requestID,
                ],
                body: ResponseBody { writer in
                    var ledger = opening
                    let (end, usage) = await proxy.relayRest(
                        first: firstBytes,
                        lease: lease,
                        relay: opened,
                        writer: &writer,
                        protocol: request.clientProtocol
                    )
                    ledger.usage = usage
                    proxy.account(ledger, status: end.status, outcome: end.outcome, error: end.error)
                    if end.outcome != .clientClosed {
                        try? await writer.finish(nil)
                    }
                }
            )
        )
    }

    /// The client's answer when a stream's error before content is the client's own fault.
    private func streamErrorAnswer(_ error: StreamError, request: ClientRequest) -> Response {
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
    private func relayRest(
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

    /// Holds a provider's stream for the response body that relays it. A body that never runs (the
    /// client left before the head was written) releases its lease, which drops the request.
    final class Lease: Sendable {
        let stream: UpstreamStream

        init(_ stream: UpstreamStream) {
            self.stream = stream
        }

        deinit {
            self.stream.cancel()
        }
    }

    // MARK: Accounting

    func refuse(_ kind: ErrorKind, _ message: String, ledger: RequestLedger, outcome: Outcome) -> Response {
        var response = ErrorResponses.response(kind, message: message, protocol: ledger.platform)
        response.headers[.init("x-request-id")!] = ledger.requestID
        self.account(ledger, status: Int(response.status.code), outcome: outcome, error: message)
        return response
    }

    func account(_ ledger: RequestLedger, status: Int, outcome: Outcome, error: String? = nil) {
        let record = ledger.record(status: status, outcome: outcome, error: error)
        self.metrics.request(record)
        self.usageSink(record)
    }
}

/// Error answers in the client's protocol.
enum ErrorResponses {
    static func response(_ kind: ErrorKind, message: String, protocol wire: APIProtocol) -> Response {
        Response(
            status: .init(code: ErrorShape.status(for: kind, protocol: wire)),
            headers: [.contentType: "application/json"],
            body: ResponseBody(
                byteBuffer: ByteBuffer(bytes: ErrorShape.body(for: kind, message: message, protocol: wire))
            )
        )
    }
}
