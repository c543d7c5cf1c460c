import AsyncHTTPClient
import Hummingbird
import LLMWire
import NIOCore

/// One attempt at one provider: send the request, then read a failed status or a complete
/// answer, or open a stream (`Proxy+Stream.swift`).
extension Proxy {
    enum Attempt {
        case answered(Response)
        /// The attempt failed; `clientAnswer` is what to send when the failure is the client's own.
        case failed(UpstreamFailure, clientAnswer: Response?)
    }

    func attempt(
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

    func failedStatus(
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

    func complete(
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
}
