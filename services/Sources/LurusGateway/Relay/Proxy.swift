import Hummingbird
import LLMWire
import Logging
import LurusEvents

/// Serves one parsed client request: pick candidates, check the balance, try providers in order
/// until one answers, relay or translate its answer, and account for it.
struct Proxy: Sendable {
    let catalog: CatalogStore
    let cooldowns: Cooldowns
    let upstream: UpstreamClient
    let credit: CreditLeases
    let billingSkipCheck: Bool
    /// The output tokens a reservation assumes when the request sets no limit.
    let defaultOutputTokens: Int
    let defaultRest: Duration
    let metrics: GatewayMetrics
    let usageSink: @Sendable (UsageRecord) -> Void
    let logger: Logger

    func serve(_ request: ClientRequest, bodyBytes: Int, client: ClientIdentity, requestID: String) async -> Response {
        // Every path below ends in `account`, once, which ends the request in flight.
        self.metrics.begin()
        let keyID = client.keyID
        var ledger = RequestLedger(
            requestID: requestID,
            client: client,
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
        let most = SpendEstimate.micros(
            bodyBytes: bodyBytes,
            request: request,
            candidates: ordered,
            defaultOutputTokens: self.defaultOutputTokens
        )
        let (answer, hold) = await self.credit.hold(requestID: requestID, keyID: keyID, micros: most)
        ledger.hold = hold
        switch answer {
        case .allowed:
            break
        case .refused(let kind, let message):
            return self.refuse(kind, message, ledger: ledger, outcome: .refused)
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
            let sent = ContinuousClock.now
            let attempt = await self.attempt(candidate, body: body, request: request, ledger: ledger)
            let took = ContinuousClock.now - sent
            switch attempt {
            case .answered(let response):
                self.metrics.attempt(
                    provider: candidate.provider.name,
                    model: candidate.model,
                    outcome: .answered,
                    duration: took
                )
                return response
            case .failed(let failure, let clientAnswer):
                let decision = FailurePolicy.decide(failure, defaultRest: self.defaultRest)
                self.metrics.attempt(
                    provider: candidate.provider.name,
                    model: candidate.model,
                    outcome: decision == .answerClient ? .clientError : .failed,
                    duration: took
                )
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

    // MARK: Accounting

    func refuse(_ kind: ErrorKind, _ message: String, ledger: RequestLedger, outcome: Outcome) -> Response {
        var response = ErrorResponses.response(kind, message: message, protocol: ledger.platform)
        response.headers[.init("x-request-id")!] = ledger.requestID
        self.account(ledger, status: Int(response.status.code), outcome: outcome, error: message)
        return response
    }

    func account(_ ledger: RequestLedger, status: Int, outcome: Outcome, error: String? = nil) {
        let record = ledger.record(status: status, outcome: outcome, error: error)
        self.credit.finish(ledger.hold, keyID: ledger.keyID, costMicros: Int64((record.costUsd * 1e6).rounded()))
        self.metrics.request(record)
        self.usageSink(record)
    }
}
