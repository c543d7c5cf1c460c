import Hummingbird
import LLMWire

/// The calls the gateway makes, kept to one statement each (behind the gateway's service token when
/// `gateway.tokenSha256` is set):
/// - `GET /v1/balance/{key_id}` → `{"allowed": bool, "balance": dollars}` (the check it makes today);
/// - `POST /v1/reservations` `{"request_id", "key_id", "amount_micros"}` → the verdict: a hold of the
///   request's most it can cost, settled by its usage event or released when it expires;
/// - `GET /v1/keys` → `{"keys": [{"id", "sha256", "user_id"}], "version"}` with an ETag: the keys that work now.
/// - `POST /v1/leases` `{"lease_id", "key_id", "want_micros", "minimum_micros"}` → the verdict and
///   `granted_micros`: a block of the wallet the gateway spends from without asking per request;
/// - `POST /v1/leases/{lease_id}/release` `{"unused_micros"}` → `released_micros`, `still_held_micros`.
struct GatewayAPI: Sendable {
    let store: BillingStore
    let metrics: BillingMetrics
    let reservationTTL: Duration

    func add(to router: some RouterMethods<BasicRequestContext>) {
        router.get("v1/balance/:key_id") { _, context -> Response in
            let keyID = try context.parameters.require("key_id")
            guard let standing = try await self.store.standing(keyID: keyID) else {
                return JSONAnswer.response(["allowed": false, "balance": 0, "reason": "unknown_key"])
            }
            return JSONAnswer.response([
                "allowed": .bool(standing.allowed),
                "balance": .number(standing.available.usd),
                "available_micros": .integer(Int(standing.available.value)),
            ])
        }
        router.post("v1/reservations") { request, _ -> Response in
            let fields = try await JSONFields.read(request, allowed: ["request_id", "key_id", "amount_micros"])
            let requestID = try fields.string("request_id", required: true)!
            let keyID = try fields.string("key_id", required: true)!
            let amount = try fields.integer("amount_micros", range: 0...1_000_000_000_000) ?? 0
            let (verdict, available) = try await self.store.reserve(
                requestID: requestID,
                keyID: keyID,
                amount: Micros(Int64(amount)),
                ttl: self.reservationTTL
            )
            self.metrics.reservations[verdict]?.increment()
            return JSONAnswer.response([
                "allowed": .bool(verdict.allowed),
                "verdict": .string(verdict.rawValue),
                "available_micros": .integer(Int(available.value)),
            ])
        }
        router.post("v1/leases") { request, _ -> Response in
            let fields = try await JSONFields.read(
                request,
                allowed: ["lease_id", "key_id", "want_micros", "minimum_micros"]
            )
            let leaseID = try fields.string("lease_id", required: true)!
            let keyID = try fields.string("key_id", required: true)!
            let minimum = try fields.integer("minimum_micros", range: 1...1_000_000_000_000) ?? 1
            let want = try fields.integer("want_micros", range: 1...1_000_000_000_000) ?? minimum
            guard want >= minimum else {
                throw APIError.invalid("want_micros", "must be at least minimum_micros (\(minimum))")
            }
            let (verdict, granted, available) = try await self.store.lease(
                leaseID: leaseID,
                keyID: keyID,
                want: Micros(Int64(want)),
                minimum: Micros(Int64(minimum)),
                ttl: self.reservationTTL
            )
            self.metrics.leases[verdict]?.increment()
            if verdict == .reserved { self.metrics.leasedMicros.increment(by: granted.value) }
            return JSONAnswer.response([
                "allowed": .bool(verdict == .reserved),
                "verdict": .string(verdict.rawValue),
                "granted_micros": .integer(Int(granted.value)),
                "available_micros": .integer(Int(available.value)),
                "ttl_seconds": .integer(Int(self.reservationTTL.components.seconds)),
            ])
        }
        router.post("v1/leases/:lease_id/release") { request, context -> Response in
            let leaseID = try context.parameters.require("lease_id")
            let fields = try await JSONFields.read(request, allowed: ["unused_micros"])
            guard let unused = try fields.integer("unused_micros", range: 0...1_000_000_000_000) else {
                throw APIError.invalid("unused_micros", "is required: the micro-dollars of the lease not spent")
            }
            let (released, held) = try await self.store.release(leaseID: leaseID, unused: Micros(Int64(unused)))
            self.metrics.releasedMicros.increment(by: released.value)
            return JSONAnswer.response([
                "released_micros": .integer(Int(released.value)),
                "still_held_micros": .integer(Int(held.value)),
            ])
        }
        router.get("v1/keys") { request, _ -> Response in
            let keys = try await self.store.activeKeys()
            let version = KeyListVersion.of(keys)
            let etag = "\"\(version)\""
            if request.headers[.ifNoneMatch] == etag {
                return Response(status: .notModified, headers: [.eTag: etag])
            }
            let entries = keys.map {
                JSONValue.object(["id": .string($0.id), "sha256": .string($0.sha256), "user_id": .string($0.userID)])
            }
            return JSONAnswer.response(["keys": .array(entries), "version": .string(version)], headers: [.eTag: etag])
        }
    }
}

/// A short hash of the key list: it changes whenever a key is issued or revoked.
enum KeyListVersion {
    static func of(_ keys: [ActiveKey]) -> String {
        let text = keys.map { "\($0.id)=\($0.sha256)" }.joined(separator: "\n")
        return String(IssuedKey.sha256(of: text).prefix(16))
    }
}
