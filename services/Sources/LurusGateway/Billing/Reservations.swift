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

/// What billing answered to a lease.
enum LeaseAnswer: Sendable, Equatable {
    case granted(Int64)
    /// The key is held per request (it has a request rate limit).
    case perRequest
    /// Refused, as a reservation would be; `verdict` is billing's.
    case refused(verdict: String, ReservationAnswer)
    case unavailable(String)
}

/// Billing's hold calls, each bounded by the configured timeout:
/// - `POST {BILLING_SERVICE_URL}/v1/reservations {"request_id", "key_id", "amount_micros"}` holds one
///   request's most it can cost; its usage event settles the hold, or it expires;
/// - `POST /v1/leases {"lease_id", "key_id", "want_micros", "minimum_micros"}` holds a block for
///   ``CreditLeases`` to spend from locally, and `POST /v1/leases/{id}/release {"unused_micros"}` gives
///   back what was not spent.
/// So concurrent requests can never together spend more than the balance.
final class Reservations: Sendable {
    private let serviceURL: String?
    private let clients: LoopLocalClients
    private let timeout: Duration
    private let token: String?

    init(serviceURL: URL?, clients: LoopLocalClients, timeout: Duration, token: String? = nil) {
        self.token = token
        self.serviceURL = serviceURL.map { $0.absoluteString.withoutTrailingSlash }
        self.clients = clients
        self.timeout = timeout
    }

    func reserve(requestID: String, keyID: String, micros: Int64) async -> ReservationAnswer {
        let body: JSONValue = [
            "request_id": .string(requestID), "key_id": .string(keyID), "amount_micros": .integer(Int(micros)),
        ]
        switch await self.post("/v1/reservations", body) {
        case .failure(let failure): return .unavailable(failure.description)
        case .success(let answer):
            guard let verdict = answer["verdict"]?.stringValue else {
                return .unavailable("billing service answered without a verdict")
            }
            return .of(verdict: verdict)
        }
    }

    func lease(leaseID: String, keyID: String, want: Int64, minimum: Int64) async -> LeaseAnswer {
        let body: JSONValue = [
            "lease_id": .string(leaseID), "key_id": .string(keyID), "want_micros": .integer(Int(want)),
            "minimum_micros": .integer(Int(minimum)),
        ]
        switch await self.post("/v1/leases", body) {
        case .failure(let failure): return .unavailable(failure.description)
        case .success(let answer):
            guard let verdict = answer["verdict"]?.stringValue else {
                return .unavailable("billing service answered without a verdict")
            }
            switch verdict {
            case "reserved":
                guard let granted = answer["granted_micros"]?.intValue, granted >= minimum else {
                    return .unavailable("billing service granted a lease without granted_micros")
                }
                return .granted(Int64(granted))
            case "per_request": return .perRequest
            default: return .refused(verdict: verdict, .of(verdict: verdict))
            }
        }
    }

    /// Gives back what a lease did not spend; nil when billing took it, else why not.
    func release(leaseID: String, unused: Int64) async -> String? {
        switch await self.post("/v1/leases/\(leaseID)/release", ["unused_micros": .integer(Int(unused))]) {
        case .failure(let failure): failure.description
        case .success: nil
        }
    }

    private func post(_ path: String, _ body: JSONValue) async -> Result<JSONValue, Failure> {
        guard let base = self.serviceURL else {
            return .failure(Failure("no billing service is configured (billing.service.url)"))
        }
        var request = HTTPClientRequest(url: base + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let token = self.token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.body = .bytes(ByteBuffer(bytes: body.serialized()))
        do {
            let response = try await self.clients.current.execute(request, timeout: .init(self.timeout))
            let answer = try await response.body.collect(upTo: 64 << 10)
            guard response.status == .ok else {
                return .failure(Failure("billing service answered HTTP \(response.status.code)"))
            }
            guard let value = try? JSONValue.parse(answer.readableBytesView) else {
                return .failure(Failure("billing service answered something that is not JSON"))
            }
            return .success(value)
        } catch {
            return .failure(Failure("billing service unreachable (\(Self.describe(error)))"))
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
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
