import Foundation
import LLMWire

/// A stored provider.
public struct ProviderRecord: Sendable, Equatable {
    public var id: Int
    public var input: ProviderInput
    public var createdAt: Date
    public var updatedAt: Date

    /// The admin API's view: the input's fields, the timestamps.
    public var json: JSONValue {
        self.input.json.merged(
            with: .object([
                "created_at": .string(self.createdAt.formatted(.iso8601)),
                "updated_at": .string(self.updatedAt.formatted(.iso8601)),
            ])
        )
    }
}

/// A stored model with its price.
public struct ModelRecord: Sendable, Equatable {
    public var id: Int
    public var input: ModelInput
    public var createdAt: Date
    public var updatedAt: Date

    /// The admin API's view: the id, the input's fields, the timestamps.
    public var json: JSONValue {
        self.input.json.merged(
            with: .object([
                "id": .integer(self.id),
                "created_at": .string(self.createdAt.formatted(.iso8601)),
                "updated_at": .string(self.updatedAt.formatted(.iso8601)),
            ])
        )
    }
}

/// One row of the audit trail: who changed what, from what to what, and the catalog version it made.
public struct ChangeRecord: Sendable, Equatable {
    public var id: Int
    public var at: Date
    public var who: String
    public var entity: String
    public var name: String
    public var action: String
    public var before: JSONValue?
    public var after: JSONValue?
    public var version: Int

    public var json: JSONValue {
        .object([
            "id": .integer(self.id),
            "at": .string(self.at.formatted(.iso8601)),
            "who": .string(self.who),
            "entity": .string(self.entity),
            "name": .string(self.name),
            "action": .string(self.action),
            "before": self.before ?? .null,
            "after": self.after ?? .null,
            "version": .integer(self.version),
        ])
    }
}

/// What the catalog is made of at one version, read in one snapshot of the database.
public struct CatalogContents: Sendable, Equatable {
    public var version: Int
    public var providers: [ProviderRecord]
    public var models: [ModelRecord]
}
