import AsyncHTTPClient
import Foundation
import LLMWire
import LurusServiceKit
import NIOCore
import Synchronization

/// What billing says about a key.
enum BalanceVerdict: Sendable, Equatable {
    case allowed
    case refused
    /// Billing did not answer usefully; the reason is for the client and logs.
    case unavailable(String)
}

/// Asks the billing service whether a key may spend: `GET {BILLING_SERVICE_URL}/v1/balance/{key id}`
/// answering `{"allowed": true, "balance": 12.5}`. Answers are cached per key for a few seconds;
/// failures are not cached.
final class BalanceCheck: Sendable {
    private let serviceURL: String?
    private let clients: LoopLocalClients
    private let timeout: Duration
    private let cacheFor: Duration
    private let cache: Mutex<[String: (allowed: Bool, until: ContinuousClock.Instant)]> = Mutex([:])

    init(serviceURL: URL?, clients: LoopLocalClients, timeout: Duration, cacheFor: Duration) {
        self.serviceURL = serviceURL?.absoluteString.withoutTrailingSlash
        self.clients = clients
        self.timeout = timeout
        self.cacheFor = cacheFor
    }

    func verdict(for keyID: String) async -> BalanceVerdict {
        let now = ContinuousClock.now
        if let cached = self.cache.withLock({ $0[keyID] }), cached.until > now {
            return cached.allowed ? .allowed : .refused
        }
        guard let base = self.serviceURL else {
            return .unavailable("no billing service is configured (billing.service.url)")
        }
        let escaped = keyID.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? keyID
        do {
            let response = try await self.clients.current.execute(
                HTTPClientRequest(url: "\(base)/v1/balance/\(escaped)"),
                timeout: .init(self.timeout)
            )
            guard response.status == .ok else {
                return .unavailable("billing service answered HTTP \(response.status.code)")
            }
            let body = try await response.body.collect(upTo: 64 << 10)
            guard let allowed = (try? JSONValue.parse(body.readableBytesView))?["allowed"]?.boolValue else {
                return .unavailable("billing service answered without \"allowed\"")
            }
            let until = ContinuousClock.now + self.cacheFor
            self.cache.withLock { $0[keyID] = (allowed, until) }
            return allowed ? .allowed : .refused
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
