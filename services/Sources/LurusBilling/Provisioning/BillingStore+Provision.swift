import Foundation
import Logging
import PostgresNIO

extension BillingStore {
    /// What a provisioning run did (nothing on every run after the first, unless the file changed).
    public struct ProvisionResult: Sendable, Equatable {
        public var created: [String] = []
        public var rotated: [String] = []
        public var credited: [String] = []
        /// Entries left as the store has them, with why (a hash another key has, a key of another user).
        public var skipped: [String: String] = [:]
    }

    /// What provisioning did to one key.
    enum KeyOutcome: Sendable {
        case unchanged, created, rotated
        case skipped(String)
    }

    /// Who the ledger names for a provisioned credit.
    public static let provisionActor = "provision-file"
    /// What listings show as a provisioned key's prefix: billing never saw the key itself.
    static let provisionedPrefix = "(provisioned)"

    /// Applies `provision` (``KeyProvision``), each key in a transaction of its own; idempotent, and safe
    /// when two replicas run it at once (inserts that find a row do nothing, the credit is a top-up by
    /// idempotency key).
    public func provision(_ provision: KeyProvision) async throws -> ProvisionResult {
        var result = ProvisionResult()
        let logger = self.logger
        for entry in provision.keys {
            let outcome = try await self.client.withTransaction(logger: logger) { connection -> KeyOutcome in
                try await connection.query(
                    "INSERT INTO users (id, name) VALUES (\(entry.userID), \(entry.userID)) ON CONFLICT (id) DO NOTHING",
                    logger: logger
                )
                try await connection.query(
                    "INSERT INTO wallets (user_id) VALUES (\(entry.userID)) ON CONFLICT (user_id) DO NOTHING",
                    logger: logger
                )
                var current: (hash: String, user: String, revoked: Bool)?
                for try await row in try await connection.query(
                    "SELECT sha256, user_id, revoked_at IS NOT NULL FROM api_keys WHERE id = \(entry.id) FOR UPDATE",
                    logger: logger
                ).decode((String, String, Bool).self) {
                    current = row
                }
                guard let current else {
                    var inserted = false
                    for try await _ in try await connection.query(
                        """
                        INSERT INTO api_keys (id, user_id, name, prefix, sha256)
                        VALUES (\(entry.id), \(entry.userID), \(entry.name), \(Self.provisionedPrefix), \(entry.sha256))
                        ON CONFLICT DO NOTHING RETURNING id
                        """,
                        logger: logger
                    ).decode(String.self) {
                        inserted = true
                    }
                    if inserted { return .created }
                    return try await Self.holder(of: entry, on: connection, logger: logger)
                }
                if current.user != entry.userID { return .skipped("the key belongs to user \(current.user)") }
                if current.hash == entry.sha256 || current.revoked { return .unchanged }
                var rotated = false
                for try await _ in try await connection.query(
                    """
                    UPDATE api_keys SET sha256 = \(entry.sha256), prefix = \(Self.provisionedPrefix)
                    WHERE id = \(entry.id) AND NOT EXISTS (SELECT 1 FROM api_keys WHERE sha256 = \(entry.sha256))
                    RETURNING id
                    """,
                    logger: logger
                ).decode(String.self) {
                    rotated = true
                }
                return rotated ? .rotated : try await Self.holder(of: entry, on: connection, logger: logger)
            }
            switch outcome {
            case .created: result.created.append(entry.id)
            case .rotated: result.rotated.append(entry.id)
            case .skipped(let reason): result.skipped[entry.id] = reason
            case .unchanged: break
            }
            if let credit = entry.initialCredit, result.skipped[entry.id] == nil {
                let topUp = try await self.topUp(
                    userID: entry.userID,
                    amount: credit,
                    idempotencyKey: "provision:\(entry.id)",
                    note: "initial credit of key \(entry.id), from the keys provision file",
                    by: Self.provisionActor
                )
                if !topUp.repeated { result.credited.append(entry.id) }
            }
        }
        return result
    }

    /// Why `entry`'s key could not be stored as it is: another replica stored it meanwhile (nothing to
    /// do), or another key has its SHA-256.
    static func holder(
        of entry: KeyProvision.Entry,
        on connection: PostgresConnection,
        logger: Logger
    ) async throws
        -> KeyOutcome
    {
        var holder: String?
        for try await id in try await connection.query(
            "SELECT id FROM api_keys WHERE sha256 = \(entry.sha256)",
            logger: logger
        ).decode(String.self) {
            holder = id
        }
        guard let holder, holder != entry.id else { return .unchanged }
        return .skipped("key \(holder) has this SHA-256")
    }
}
