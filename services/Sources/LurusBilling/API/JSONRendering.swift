import Foundation
import LLMWire

/// How billing's values look in answers: money as exact decimal strings plus integer micro-dollars,
/// times in ISO 8601.
extension Micros {
    var json: JSONValue { .string(self.description) }
}

extension Date {
    var json: JSONValue { .string(self.formatted(.iso8601)) }
}

extension User {
    var json: JSONValue {
        .object([
            "id": .string(self.id),
            "name": .string(self.name),
            "email": self.email.map(JSONValue.string) ?? .null,
            "balance": self.balance.json,
            "reserved": self.reserved.json,
            "available": Micros(self.balance.value - self.reserved.value).json,
            "created_at": self.createdAt.json,
        ])
    }
}

extension KeyLimits {
    var json: JSONValue {
        .object([
            "budget": self.budget?.json ?? .null,
            "budget_period": self.period.map { .string($0.rawValue) } ?? .null,
            "requests_per_minute": self.requestsPerMinute.map(JSONValue.integer) ?? .null,
        ])
    }
}

extension KeyRecord {
    var json: JSONValue {
        .object([
            "id": .string(self.id),
            "user_id": .string(self.userID),
            "name": .string(self.name),
            "prefix": .string(self.prefix),
            "limits": self.limits.json,
            "created_at": self.createdAt.json,
            "revoked_at": self.revokedAt?.json ?? .null,
        ])
    }
}

extension LedgerEntry {
    var json: JSONValue {
        .object([
            "id": .integer(Int(self.id)),
            "kind": .string(self.kind),
            "key_id": self.keyID.map(JSONValue.string) ?? .null,
            "request_id": self.requestID.map(JSONValue.string) ?? .null,
            "amount": self.amount.json,
            "cost": self.cost.json,
            "shortfall": self.shortfall.json,
            "balance_after": self.balanceAfter?.json ?? .null,
            "model": self.model.map(JSONValue.string) ?? .null,
            "note": self.note.map(JSONValue.string) ?? .null,
            "created_at": self.createdAt.json,
        ])
    }
}
