import Foundation
import Logging
import PostgresNIO

/// Billing's state in PostgreSQL. Each method is one statement (the money moves in the schema's
/// functions, `BillingMigrations`), so each is its own transaction and none holds a lock across a network
/// round trip of the service.
public struct BillingStore: Sendable {
    public let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    // MARK: The gateway's calls

    /// Holds `amount` for `requestID` on `keyID`'s wallet for `ttl`, or refuses.
    public func reserve(
        requestID: String,
        keyID: String,
        amount: Micros,
        ttl: Duration
    ) async throws -> (verdict: ReservationVerdict, available: Micros) {
        let seconds = Int32(clamping: ttl.components.seconds)
        let rows = try await self.client.query(
            "SELECT verdict, available FROM billing_reserve(\(requestID), \(keyID), \(amount.value), \(seconds))",
            logger: self.logger
        )
        for try await (verdict, available) in rows.decode((String, Int64).self) {
            guard let verdict = ReservationVerdict(rawValue: verdict) else { break }
            return (verdict, Micros(available))
        }
        throw BillingStoreError("billing_reserve answered no verdict")
    }

    /// Leases a block of `keyID`'s wallet to a gateway: at least `minimum`, at most `want`; see
    /// `BillingMigrations.lease`.
    public func lease(
        leaseID: String,
        keyID: String,
        want: Micros,
        minimum: Micros,
        ttl: Duration
    ) async throws -> (verdict: ReservationVerdict, granted: Micros, available: Micros) {
        let seconds = Int32(clamping: ttl.components.seconds)
        let rows = try await self.client.query(
            """
            SELECT verdict, granted, available
            FROM billing_lease(\(leaseID), \(keyID), \(want.value), \(minimum.value), \(seconds))
            """,
            logger: self.logger
        )
        for try await (verdict, granted, available) in rows.decode((String, Int64, Int64).self) {
            guard let verdict = ReservationVerdict(rawValue: verdict) else { break }
            return (verdict, Micros(granted), Micros(available))
        }
        throw BillingStoreError("billing_lease answered no verdict")
    }

    /// Frees what a gateway did not spend of a lease; once per lease. What was released, and what stays
    /// held for the lease's requests whose usage has not been settled yet.
    public func release(leaseID: String, unused: Micros) async throws -> (released: Micros, stillHeld: Micros) {
        let rows = try await self.client.query(
            "SELECT released, still_held FROM billing_release(\(leaseID), \(unused.value))",
            logger: self.logger
        )
        for try await (released, held) in rows.decode((Int64, Int64).self) {
            return (Micros(released), Micros(held))
        }
        throw BillingStoreError("billing_release answered nothing")
    }

    /// A key's wallet and budget, or nil for a key billing does not know.
    public func standing(keyID: String) async throws -> KeyStanding? {
        let rows = try await self.client.query(
            """
            SELECT k.id, k.user_id, w.balance, w.reserved, k.revoked_at IS NOT NULL,
                   CASE WHEN k.budget_micros IS NULL THEN NULL
                        ELSE k.budget_micros - coalesce(s.spent, 0) - coalesce(s.reserved, 0) END
            FROM api_keys k
            JOIN wallets w ON w.user_id = k.user_id
            LEFT JOIN key_spend s ON s.key_id = k.id
                AND s.period_start = date_trunc(k.budget_period, now() AT TIME ZONE 'UTC')::date
            WHERE k.id = \(keyID)
            """,
            logger: self.logger
        )
        for try await (id, user, balance, reserved, revoked, budgetLeft) in rows.decode(
            (String, String, Int64, Int64, Bool, Int64?).self
        ) {
            return KeyStanding(
                keyID: id,
                userID: user,
                balance: Micros(balance),
                reserved: Micros(reserved),
                revoked: revoked,
                budgetLeft: budgetLeft.map(Micros.init)
            )
        }
        return nil
    }

    /// Every key that works now: id, SHA-256 and user, in id order.
    public func activeKeys() async throws -> [ActiveKey] {
        let rows = try await self.client.query(
            "SELECT id, sha256, user_id FROM api_keys WHERE revoked_at IS NULL ORDER BY id",
            logger: self.logger
        )
        var keys: [ActiveKey] = []
        for try await (id, hash, user) in rows.decode((String, String, String).self) {
            keys.append(ActiveKey(id: id, sha256: hash, userID: user))
        }
        return keys
    }

    /// The key whose SHA-256 is `sha256` (a client presenting its own key), revoked or not.
    public func key(sha256: String) async throws -> KeyRecord? {
        try await self.keys(where: "k.sha256 = $1", sha256).first
    }

    // MARK: Usage

    /// Settles `charges` in one transaction; see `BillingMigrations.settle`.
    public func settle(_ charges: [UsageCharge]) async throws -> SettlementSummary {
        guard !charges.isEmpty else {
            return SettlementSummary(settled: 0, duplicates: 0, unattributed: 0, shortfall: .zero)
        }
        let rows = try await self.client.query(
            """
            SELECT settled, duplicates, unattributed, shortfall FROM billing_settle(
                \(charges.map(\.requestID)), \(charges.map(\.keyID)), \(charges.map(\.leaseID)),
                \(charges.map(\.cost.value)),
                \(charges.map(\.model)), \(charges.map(\.provider)), \(charges.map(\.outcome)),
                \(charges.map(\.inputTokens)), \(charges.map(\.outputTokens)), \(charges.map(\.cacheReadTokens)),
                \(charges.map(\.cacheWriteTokens)), \(charges.map(\.occurredAt))::timestamptz[])
            """,
            logger: self.logger
        )
        for try await (settled, duplicates, unattributed, shortfall) in rows.decode((Int32, Int32, Int32, Int64).self) {
            return SettlementSummary(
                settled: Int(settled),
                duplicates: Int(duplicates),
                unattributed: Int(unattributed),
                shortfall: Micros(shortfall)
            )
        }
        throw BillingStoreError("billing_settle answered nothing")
    }

    /// Releases expired holds; how many.
    public func expireReservations() async throws -> Int {
        let rows = try await self.client.query("SELECT billing_expire()", logger: self.logger)
        for try await count in rows.decode(Int32.self) { return Int(count) }
        return 0
    }

    // MARK: Administration

    /// Creates a user with an empty wallet.
    public func createUser(name: String, email: String?) async throws -> User {
        let id = Identifier.make("usr")
        try await self.client.withTransaction(logger: self.logger) { connection in
            try await connection.query(
                "INSERT INTO users (id, name, email) VALUES (\(id), \(name), \(email))",
                logger: self.logger
            )
            try await connection.query("INSERT INTO wallets (user_id) VALUES (\(id))", logger: self.logger)
        }
        guard let user = try await self.user(id: id) else { throw BillingStoreError("user \(id) vanished") }
        return user
    }

    public func user(id: String) async throws -> User? {
        try await self.users(where: "u.id = $1", id).first
    }

    public func users() async throws -> [User] {
        try await self.users(where: "true", nil)
    }

    private func users(where condition: String, _ value: String?) async throws -> [User] {
        var query = PostgresQuery(
            unsafeSQL: """
                SELECT u.id, u.name, u.email, w.balance, w.reserved, u.created_at
                FROM users u JOIN wallets w ON w.user_id = u.id WHERE \(condition) ORDER BY u.created_at, u.id
                """
        )
        if let value { query = PostgresQuery(unsafeSQL: query.sql, binds: Self.binds(value)) }
        let rows = try await self.client.query(query, logger: self.logger)
        var users: [User] = []
        for try await (id, name, email, balance, reserved, created) in rows.decode(
            (String, String, String?, Int64, Int64, Date).self
        ) {
            users.append(
                User(
                    id: id,
                    name: name,
                    email: email,
                    balance: Micros(balance),
                    reserved: Micros(reserved),
                    createdAt: created
                )
            )
        }
        return users
    }

    /// Issues a key for `userID`; the returned secret exists nowhere else.
    public func createKey(userID: String, name: String, limits: KeyLimits) async throws -> (KeyRecord, IssuedKey) {
        let id = Identifier.make("key")
        let issued = IssuedKey.generate()
        try await self.client.query(
            """
            INSERT INTO api_keys (id, user_id, name, prefix, sha256, budget_micros, budget_period, rate_per_minute)
            VALUES (\(id), \(userID), \(name), \(issued.prefix), \(issued.sha256), \(limits.budget?.value),
                    \(limits.period?.rawValue), \(limits.requestsPerMinute.map(Int32.init(clamping:))))
            """,
            logger: self.logger
        )
        guard let record = try await self.keys(where: "k.id = $1", id).first else {
            throw BillingStoreError("key \(id) vanished")
        }
        return (record, issued)
    }

    public func keys(userID: String) async throws -> [KeyRecord] {
        try await self.keys(where: "k.user_id = $1", userID)
    }

    public func key(id: String) async throws -> KeyRecord? {
        try await self.keys(where: "k.id = $1", id).first
    }

    /// Revokes a key (for good: a revoked key is never valid again); whether it existed.
    public func revokeKey(id: String) async throws -> Bool {
        let rows = try await self.client.query(
            "UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = \(id) RETURNING id",
            logger: self.logger
        )
        for try await _ in rows.decode(String.self) { return true }
        return false
    }

    /// Replaces a key's limits; whether it existed.
    public func setLimits(keyID: String, _ limits: KeyLimits) async throws -> Bool {
        let rows = try await self.client.query(
            """
            UPDATE api_keys SET budget_micros = \(limits.budget?.value), budget_period = \(limits.period?.rawValue),
                rate_per_minute = \(limits.requestsPerMinute.map(Int32.init(clamping:)))
            WHERE id = \(keyID) RETURNING id
            """,
            logger: self.logger
        )
        for try await _ in rows.decode(String.self) { return true }
        return false
    }

    private func keys(where condition: String, _ value: String) async throws -> [KeyRecord] {
        let rows = try await self.client.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT k.id, k.user_id, k.name, k.prefix, k.sha256, k.budget_micros, k.budget_period,
                           k.rate_per_minute, k.created_at, k.revoked_at
                    FROM api_keys k WHERE \(condition) ORDER BY k.created_at, k.id
                    """,
                binds: Self.binds(value)
            ),
            logger: self.logger
        )
        var keys: [KeyRecord] = []
        for try await (id, user, name, prefix, hash, budget, period, rate, created, revoked) in rows.decode(
            (String, String, String, String, String, Int64?, String?, Int32?, Date, Date?).self
        ) {
            keys.append(
                KeyRecord(
                    id: id,
                    userID: user,
                    name: name,
                    prefix: prefix,
                    sha256: hash,
                    limits: KeyLimits(
                        budget: budget.map(Micros.init),
                        period: period.flatMap(KeyLimits.Period.init(rawValue:)),
                        requestsPerMinute: rate.map(Int.init)
                    ),
                    createdAt: created,
                    revokedAt: revoked
                )
            )
        }
        return keys
    }

    /// Credits `userID` once per `idempotencyKey`.
    public func topUp(
        userID: String,
        amount: Micros,
        idempotencyKey: String,
        note: String?,
        by who: String
    ) async throws -> TopUpResult {
        let rows = try await self.client.query(
            """
            SELECT ledger_id, user_id, amount, balance_after, repeated
            FROM billing_top_up(\(userID), \(amount.value), \(idempotencyKey), \(note), \(who))
            """,
            logger: self.logger
        )
        for try await (id, user, amount, after, repeated) in rows.decode((Int64, String?, Int64, Int64?, Bool).self) {
            return TopUpResult(
                ledgerID: id,
                userID: user,
                amount: Micros(amount),
                balanceAfter: after.map(Micros.init),
                repeated: repeated
            )
        }
        throw BillingStoreError("billing_top_up answered nothing")
    }

    /// A user's ledger, newest first, `limit` rows before ledger id `before`.
    public func ledger(userID: String, limit: Int, before: Int64?) async throws -> [LedgerEntry] {
        let rows = try await self.client.query(
            """
            SELECT id, kind, key_id, request_id, amount, cost, shortfall, balance_after, model, note, created_at
            FROM ledger WHERE user_id = \(userID) AND id < \(before ?? Int64.max)
            ORDER BY id DESC LIMIT \(Int32(clamping: limit))
            """,
            logger: self.logger
        )
        var entries: [LedgerEntry] = []
        for try await (id, kind, key, request, amount, cost, shortfall, after, model, note, created) in rows.decode(
            (Int64, String, String?, String?, Int64, Int64, Int64, Int64?, String?, String?, Date).self
        ) {
            entries.append(
                LedgerEntry(
                    id: id,
                    kind: kind,
                    keyID: key,
                    requestID: request,
                    amount: Micros(amount),
                    cost: Micros(cost),
                    shortfall: Micros(shortfall),
                    balanceAfter: after.map(Micros.init),
                    model: model,
                    note: note,
                    createdAt: created
                )
            )
        }
        return entries
    }

    /// Whether the database answers (for `/health`).
    public func ping() async throws {
        try await self.client.query("SELECT 1", logger: self.logger)
    }

    private static func binds(_ value: String) -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(value)
        return bindings
    }
}

/// The database answered something billing did not expect.
public struct BillingStoreError: Error, CustomStringConvertible {
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}
