import Foundation

/// A person or team that owns keys and one wallet.
public struct User: Sendable, Equatable, Codable {
    public var id: String
    public var name: String
    public var email: String?
    public var balance: Micros
    public var reserved: Micros
    public var createdAt: Date
}

/// A key as billing keeps it: never the key itself.
public struct KeyRecord: Sendable, Equatable {
    public var id: String
    public var userID: String
    public var name: String
    public var prefix: String
    public var sha256: String
    public var limits: KeyLimits
    public var createdAt: Date
    public var revokedAt: Date?
}

/// What a key may spend: a budget per day or month, and requests per minute. Nil is no limit.
public struct KeyLimits: Sendable, Equatable {
    public enum Period: String, Sendable, Equatable, CaseIterable {
        case day, month
    }

    public var budget: Micros?
    public var period: Period?
    public var requestsPerMinute: Int?

    public init(budget: Micros? = nil, period: Period? = nil, requestsPerMinute: Int? = nil) {
        self.budget = budget
        self.period = period
        self.requestsPerMinute = requestsPerMinute
    }
}

/// A key's standing for the gateway's balance check.
public struct KeyStanding: Sendable, Equatable {
    public var keyID: String
    public var userID: String
    public var balance: Micros
    public var reserved: Micros
    public var revoked: Bool
    /// What the key's budget leaves in the current period; nil without a budget.
    public var budgetLeft: Micros?

    /// What the key can still spend now: the wallet's unreserved balance, capped by its budget.
    public var available: Micros {
        let wallet = Micros(self.balance.value - self.reserved.value)
        guard let budgetLeft else { return wallet }
        return min(wallet, budgetLeft)
    }

    /// Whether a request may start: not revoked and something left to spend.
    public var allowed: Bool { !self.revoked && self.available.value > 0 }
}

/// One usage event as billing charges it.
public struct UsageCharge: Sendable, Equatable {
    public var requestID: String
    public var keyID: String
    /// The lease the gateway took the request's hold from; empty when the request had its own hold.
    public var leaseID: String
    public var cost: Micros
    public var model: String
    public var provider: String
    public var outcome: String
    public var inputTokens: Int64
    public var outputTokens: Int64
    public var cacheReadTokens: Int64
    public var cacheWriteTokens: Int64
    /// ISO 8601 instant the request started.
    public var occurredAt: String
}

/// What one settled batch did.
public struct SettlementSummary: Sendable, Equatable {
    public var settled: Int
    public var duplicates: Int
    public var unattributed: Int
    public var shortfall: Micros
}

/// The answer to a reservation.
public enum ReservationVerdict: String, Sendable, Equatable {
    case reserved
    /// The request was already settled (a retry after the usage arrived): nothing is held.
    case settled
    case insufficientBalance = "insufficient_balance"
    case overBudget = "over_budget"
    case rateLimited = "rate_limited"
    case revoked
    case unknownKey = "unknown_key"
    /// A lease was asked for a key whose request rate is limited: hold per request instead, so that the
    /// limit is counted exactly.
    case perRequest = "per_request"

    public var allowed: Bool { self == .reserved || self == .settled }
}

/// One ledger row.
public struct LedgerEntry: Sendable, Equatable {
    public var id: Int64
    public var kind: String
    public var keyID: String?
    public var requestID: String?
    public var amount: Micros
    public var cost: Micros
    public var shortfall: Micros
    public var balanceAfter: Micros?
    public var model: String?
    public var note: String?
    public var createdAt: Date
}

/// The result of a top-up; `repeated` when its idempotency key had been used.
public struct TopUpResult: Sendable, Equatable {
    public var ledgerID: Int64
    public var userID: String?
    public var amount: Micros
    public var balanceAfter: Micros?
    public var repeated: Bool
}
