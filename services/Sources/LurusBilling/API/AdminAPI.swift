import Foundation
import Hummingbird
import LLMWire

/// Who may administer billing: given a request, the identity the change is recorded under, or an error.
public typealias AdminCheck = @Sendable (Request) async throws -> String

/// The administrators' routes (`/api/v1`, admin authentication):
/// users (create, list, get), keys (issue — the key is shown once —, list, set limits, revoke),
/// top-ups (idempotent by `Idempotency-Key`), and a user's ledger.
struct AdminAPI: Sendable {
    let store: BillingStore
    let authenticate: AdminCheck

    func add(to router: Router<BasicRequestContext>) {
        let admin = router.group("api/v1")
        admin.post("users") { request, _ -> Response in
            _ = try await self.authenticate(request)
            let fields = try await JSONFields.read(request, allowed: ["name", "email"])
            let name = try fields.string("name", required: true)!
            let email = try fields.string("email")
            if let email, !email.contains("@") { throw APIError.invalid("email", "must be an email address") }
            do {
                let user = try await self.store.createUser(name: name, email: email)
                return JSONAnswer.response(user.json, status: .created)
            } catch let error where "\(String(reflecting: error))".contains("23505") {
                throw APIError(.conflict, "a user with this email exists", field: "email")
            }
        }
        admin.get("users") { request, _ -> Response in
            _ = try await self.authenticate(request)
            return JSONAnswer.response(["users": .array(try await self.store.users().map(\.json))])
        }
        admin.get("users/:id") { request, context -> Response in
            _ = try await self.authenticate(request)
            return JSONAnswer.response(try await self.user(context).json)
        }
        admin.post("users/:id/keys") { request, context -> Response in
            _ = try await self.authenticate(request)
            let user = try await self.user(context)
            let fields = try await JSONFields.read(
                request,
                allowed: ["name", "budget", "budget_period", "requests_per_minute"]
            )
            let limits = try Self.limits(fields)
            let (record, issued) = try await self.store.createKey(
                userID: user.id,
                name: try fields.string("name") ?? "",
                limits: limits
            )
            var body = record.json
            if case .object(var members) = body {
                members["key"] = .string(issued.secret)
                members["note"] = "the key is shown only now: billing keeps its SHA-256"
                body = .object(members)
            }
            return JSONAnswer.response(body, status: .created)
        }
        admin.get("users/:id/keys") { request, context -> Response in
            _ = try await self.authenticate(request)
            let user = try await self.user(context)
            return JSONAnswer.response(["keys": .array(try await self.store.keys(userID: user.id).map(\.json))])
        }
        admin.patch("keys/:id") { request, context -> Response in
            _ = try await self.authenticate(request)
            let id = try context.parameters.require("id")
            let fields = try await JSONFields.read(
                request,
                allowed: ["budget", "budget_period", "requests_per_minute"]
            )
            guard try await self.store.setLimits(keyID: id, try Self.limits(fields)),
                let key = try await self.store.key(id: id)
            else { throw APIError(.notFound, "no key \(id)") }
            return JSONAnswer.response(key.json)
        }
        admin.delete("keys/:id") { request, context -> Response in
            _ = try await self.authenticate(request)
            let id = try context.parameters.require("id")
            guard try await self.store.revokeKey(id: id), let key = try await self.store.key(id: id) else {
                throw APIError(.notFound, "no key \(id)")
            }
            return JSONAnswer.response(key.json)
        }
        admin.post("users/:id/topups") { request, context -> Response in
            let who = try await self.authenticate(request)
            let user = try await self.user(context)
            guard let idempotencyKey = request.headers[.init("Idempotency-Key")!], !idempotencyKey.isEmpty,
                idempotencyKey.count <= 200
            else {
                throw APIError(
                    .badRequest,
                    "a top-up needs an Idempotency-Key header (any unique text up to 200 characters): a retried request then credits once",
                    field: "Idempotency-Key"
                )
            }
            let fields = try await JSONFields.read(request, allowed: ["amount", "note"])
            let amount = try fields.money("amount", required: true)!
            guard amount.value > 0 else { throw APIError.invalid("amount", "must be more than zero") }
            let result = try await self.store.topUp(
                userID: user.id,
                amount: amount,
                idempotencyKey: idempotencyKey,
                note: try fields.string("note", maxLength: 500),
                by: who
            )
            if result.repeated && (result.userID != user.id || result.amount != amount) {
                throw APIError(
                    .conflict,
                    "this Idempotency-Key was used for another top-up (\(result.amount) to \(result.userID ?? "-")): use a new key",
                    field: "Idempotency-Key"
                )
            }
            return JSONAnswer.response(
                [
                    "ledger_id": .integer(Int(result.ledgerID)),
                    "amount": result.amount.json,
                    "balance_after": result.balanceAfter?.json ?? .null,
                    "repeated": .bool(result.repeated),
                ],
                status: result.repeated ? .ok : .created
            )
        }
        // Usage reported by another producer than the gateway's events: settled as they are, once per
        // request id (a repeat answers "duplicate" and charges nothing).
        admin.post("usage") { request, _ -> Response in
            _ = try await self.authenticate(request)
            let fields = try await JSONFields.read(
                request,
                allowed: [
                    "request_id", "key_id", "cost", "model", "provider", "input_tokens", "output_tokens",
                    "cache_read_tokens", "cache_write_tokens", "started_at",
                ]
            )
            let tokens = 0...1_000_000_000
            let startedAt = try fields.string("started_at") ?? Date().formatted(.iso8601)
            guard (try? Date(startedAt, strategy: .iso8601)) != nil else {
                throw APIError.invalid("started_at", "must be an ISO 8601 time such as 2026-12-01T10:00:00Z")
            }
            let charge = UsageCharge(
                requestID: try fields.string("request_id", required: true)!,
                keyID: try fields.string("key_id", required: true)!,
                leaseID: "",
                cost: try fields.money("cost", required: true)!,
                model: try fields.string("model") ?? "",
                provider: try fields.string("provider") ?? "",
                outcome: "ok",
                inputTokens: Int64(try fields.integer("input_tokens", range: tokens) ?? 0),
                outputTokens: Int64(try fields.integer("output_tokens", range: tokens) ?? 0),
                cacheReadTokens: Int64(try fields.integer("cache_read_tokens", range: tokens) ?? 0),
                cacheWriteTokens: Int64(try fields.integer("cache_write_tokens", range: tokens) ?? 0),
                occurredAt: startedAt
            )
            guard charge.cost.value >= 0 else { throw APIError.invalid("cost", "must not be negative") }
            let summary = try await self.store.settle([charge])
            return JSONAnswer.response([
                "request_id": .string(charge.requestID),
                "duplicate": .bool(summary.duplicates == 1),
                "unattributed": .bool(summary.unattributed == 1),
                "shortfall": summary.shortfall.json,
            ])
        }
        admin.get("users/:id/ledger") { request, context -> Response in
            _ = try await self.authenticate(request)
            let user = try await self.user(context)
            let limit = request.uri.queryParameters.get("limit", as: Int.self) ?? 100
            guard (1...1000).contains(limit) else { throw APIError.invalid("limit", "must be from 1 to 1000") }
            let before = request.uri.queryParameters.get("before", as: Int64.self)
            let entries = try await self.store.ledger(userID: user.id, limit: limit, before: before)
            return JSONAnswer.response([
                "entries": .array(entries.map(\.json)),
                "next_before": entries.count == limit ? entries.last.map { .integer(Int($0.id)) } ?? .null : .null,
            ])
        }
    }

    private func user(_ context: BasicRequestContext) async throws -> User {
        let id = try context.parameters.require("id")
        guard let user = try await self.store.user(id: id) else { throw APIError(.notFound, "no user \(id)") }
        return user
    }

    static func limits(_ fields: JSONFields) throws(APIError) -> KeyLimits {
        let budget = try fields.money("budget")
        let periodText = try fields.string("budget_period")
        let period: KeyLimits.Period?
        if let periodText {
            guard let value = KeyLimits.Period(rawValue: periodText) else {
                throw .invalid("budget_period", "must be day or month")
            }
            period = value
        } else {
            period = nil
        }
        if (budget == nil) != (period == nil) {
            throw .invalid(
                budget == nil ? "budget" : "budget_period",
                "is needed with \(budget == nil ? "budget_period" : "budget")"
            )
        }
        if let budget, budget.value < 0 { throw .invalid("budget", "must not be negative") }
        return KeyLimits(
            budget: budget,
            period: period,
            requestsPerMinute: try fields.integer("requests_per_minute", range: 1...1_000_000)
        )
    }
}
