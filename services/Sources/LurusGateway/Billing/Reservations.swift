import AsyncHTTPClient
import Foundation
import LLMWire
import LurusServiceKit
import NIOCore

/// What billing answered to a request's reservation.
enum ReservationAnswer: Sendable, Equatable {
    case allowed
    /// Refused: the kind of error the client gets in its own format, and why.
    case refused(ErrorKind, String)
    /// Billing did not answer usefully; the reason is for the client and logs.
    case unavailable(String)

    /// The answer for billing's verdict.
    static func of(verdict: String) -> ReservationAnswer {
        switch verdict {
        case "reserved", "settled": .allowed
        case "insufficient_balance":
            .refused(.insufficientBalance, "the balance of this key is used up; top it up to continue")
        case "over_budget":
            .refused(
                .insufficientBalance,
                "this key's budget for the period is spent; raise it or wait for the next period"
            )
        case "rate_limited": .refused(.rateLimited, "this key's request rate limit is reached; retry in a minute")
        case "revoked": .refused(.authentication, "this API key was revoked")
        case "unknown_key": .refused(.authentication, "billing does not know this API key")
        default: .unavailable("billing answered an unknown verdict \"\(verdict)\"")
        }
    }
}

/// Holds a request's most it can cost on its key's wallet before it is forwarded:
/// `POST {BILLING_SERVICE_URL}/v1/reservations {"request_id", "key_id", "amount_micros"}`. The usage
/// event settles the hold (the actual cost charged, the rest released); a hold whose event never comes
/// expires. So concurrent requests can never together spend more than the balance.
final class Reservations: Sendable {
    private let serviceURL: String?
    private let clients: LoopLocalClients
    private let timeout: Duration

    init(serviceURL: URL?, clients: LoopLocalClients, timeout: Duration) {
        self.serviceURL = serviceURL.map { $0.absoluteString.withoutTrailingSlash + "/v1/reservations" }
        self.clients = clients
        self.timeout = timeout
    }

    func reserve(requestID: String, keyID: String, micros: Int64) async -> ReservationAnswer {
        guard let url = self.serviceURL else {
            return .unavailable("no billing service is configured (billing.service.url)")
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        let body: JSONValue = [
            "request_id": .string(requestID), "key_id": .string(keyID), "amount_micros": .integer(Int(micros)),
        ]
        request.body = .bytes(ByteBuffer(bytes: body.serialized()))
        do {
            let response = try await self.clients.current.execute(request, timeout: .init(self.timeout))
            guard response.status == .ok else {
                return .unavailable("billing service answered HTTP \(response.status.code)")
            }
            let answer = try await response.body.collect(upTo: 64 << 10)
            guard let verdict = (try? JSONValue.parse(answer.readableBytesView))?["verdict"]?.stringValue else {
                return .unavailable("billing service answered without a verdict")
            }
            return .of(verdict: verdict)
        } catch {
            return .unavailable("billing service unreachable (\(Self.describe(error)))")
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout: return "timed out"
            default: return "\(error)"
            }
        }
        return "\(error)"
    }
}
