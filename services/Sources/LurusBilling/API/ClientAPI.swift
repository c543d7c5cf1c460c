import Foundation
import Hummingbird
import LLMWire

/// What a client may ask about itself with its own API key (`Authorization: Bearer sk-lurus-…`):
/// `GET /api/v1/balance` (its wallet) and `GET /api/v1/quota` (its key's budget and rate).
struct ClientAPI: Sendable {
    let store: BillingStore

    func add(to router: Router<BasicRequestContext>) {
        router.get("api/v1/balance") { request, _ -> Response in
            let key = try await self.key(request)
            guard let user = try await self.store.user(id: key.userID) else { throw APIError(.notFound, "no wallet") }
            return JSONAnswer.response([
                "user_id": .string(user.id),
                "balance": user.balance.json,
                "reserved": user.reserved.json,
                "available": Micros(user.balance.value - user.reserved.value).json,
            ])
        }
        router.get("api/v1/quota") { request, _ -> Response in
            let key = try await self.key(request)
            guard let standing = try await self.store.standing(keyID: key.id) else {
                throw APIError(.notFound, "no key")
            }
            return JSONAnswer.response([
                "key_id": .string(key.id),
                "limits": key.limits.json,
                "budget_left": standing.budgetLeft?.json ?? .null,
                "available": standing.available.json,
                "allowed": .bool(standing.allowed),
            ])
        }
    }

    private func key(_ request: Request) async throws -> KeyRecord {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw APIError(.unauthorized, "send your API key as Authorization: Bearer sk-lurus-…")
        }
        let presented = String(header.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)
        guard let key = try await self.store.key(sha256: IssuedKey.sha256(of: presented)), key.revokedAt == nil else {
            throw APIError(.unauthorized, "the API key is not valid (unknown or revoked)")
        }
        return key
    }
}
