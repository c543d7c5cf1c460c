import Foundation
import LLMWire
import PostgresNIO

extension ProviderStore {
    /// Every model, or those of `provider`, by provider and name.
    public func models(provider: String?) async throws -> [ModelRecord] {
        let logger = self.logger
        return try await self.client.withConnection {
            try await Self.models(on: $0, provider: provider, id: nil, logger: logger)
        }
    }

    /// The model with `id`, or nil.
    public func model(id: Int) async throws -> ModelRecord? {
        let logger = self.logger
        return try await self.client.withConnection {
            try await Self.models(on: $0, provider: nil, id: id, logger: logger).first
        }
    }

    /// Creates a model; 422 when its provider does not exist, 409 when a name or alias is served by the
    /// provider already.
    public func createModel(_ input: ModelInput, who: String) async throws -> (value: ModelRecord, version: Int) {
        let logger = self.logger
        return try await self.change(who: who, entity: "model", action: "create") { connection in
            let providerID = try await Self.lockProvider(input.provider, on: connection, logger: logger)
            try await Self.checkServedNames(
                input,
                providerID: providerID,
                excluding: nil,
                on: connection,
                logger: logger
            )
            var id = 0
            for try await value in try await connection.query(
                """
                INSERT INTO models (provider_id, name, upstream, aliases, enabled)
                VALUES (\(providerID), \(input.name), \(input.upstream), \(input.aliases), \(input.enabled))
                RETURNING id
                """,
                logger: logger
            ).decode(Int.self) {
                id = value
            }
            try await Self.writePrice(input.price, model: id, on: connection, logger: logger)
            let record = try await Self.readBack(id, on: connection, logger: logger)
            return ChangeOutcome(name: "\(input.provider)/\(input.name)", before: nil, after: input.json, value: record)
        }
    }

    /// Replaces the model `id` with what `transform` makes of it (PUT, PATCH); it may move to another
    /// provider.
    public func updateModel(
        id: Int,
        who: String,
        _ transform: @escaping @Sendable (ModelInput) throws -> ModelInput
    ) async throws -> (value: ModelRecord, version: Int) {
        let logger = self.logger
        return try await self.change(who: who, entity: "model", action: "update") { connection in
            guard let current = try await Self.models(on: connection, provider: nil, id: id, logger: logger).first
            else {
                throw APIError.notFound("no model with id \(id)")
            }
            let input = try transform(current.input)
            let providerID = try await Self.lockProvider(input.provider, on: connection, logger: logger)
            try await Self.checkServedNames(
                input,
                providerID: providerID,
                excluding: id,
                on: connection,
                logger: logger
            )
            try await connection.query(
                """
                UPDATE models SET provider_id = \(providerID), name = \(input.name), upstream = \(input.upstream),
                    aliases = \(input.aliases), enabled = \(input.enabled), updated_at = now()
                WHERE id = \(id)
                """,
                logger: logger
            )
            try await Self.writePrice(input.price, model: id, on: connection, logger: logger)
            let record = try await Self.readBack(id, on: connection, logger: logger)
            return ChangeOutcome(
                name: "\(input.provider)/\(input.name)",
                before: current.input.json,
                after: input.json,
                value: record
            )
        }
    }

    /// Deletes the model `id`.
    public func deleteModel(id: Int, who: String) async throws -> Int {
        let logger = self.logger
        return try await self.change(who: who, entity: "model", action: "delete") { connection in
            guard let current = try await Self.models(on: connection, provider: nil, id: id, logger: logger).first
            else {
                throw APIError.notFound("no model with id \(id)")
            }
            try await connection.query("DELETE FROM models WHERE id = \(id)", logger: logger)
            return ChangeOutcome(
                name: "\(current.input.provider)/\(current.input.name)",
                before: current.input.json,
                after: nil,
                value: ()
            )
        }.version
    }

    /// The provider's id, its row locked so that changes to one provider's models are serialized.
    static func lockProvider(_ name: String, on connection: PostgresConnection, logger: Logger) async throws -> Int {
        guard let provider = try await Self.providers(on: connection, where: name, lock: true, logger: logger).first
        else {
            throw APIError.invalid("provider", "no provider named \"\(name)\"")
        }
        return provider.id
    }

    /// Refuses a name or alias that another model of the same provider serves already.
    static func checkServedNames(
        _ input: ModelInput,
        providerID: Int,
        excluding id: Int?,
        on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        let rows = try await connection.query(
            "SELECT id, name, aliases FROM models WHERE provider_id = \(providerID)",
            logger: logger
        )
        var served: [String: String] = [:]
        for try await (otherID, name, aliases) in rows.decode((Int, String, [String]).self) where otherID != id {
            for servedName in [name] + aliases { served[servedName] = name }
        }
        for (index, name) in input.servedNames.enumerated() {
            if let other = served[name] {
                let field = index == 0 ? "name" : "aliases[\(index - 1)]"
                throw APIError.conflict(
                    field,
                    "\"\(name)\" is served already by model \"\(other)\" of provider \"\(input.provider)\""
                )
            }
        }
    }

    static func writePrice(
        _ price: ModelPricing,
        model id: Int,
        on connection: PostgresConnection,
        logger: Logger
    )
        async throws
    {
        try await connection.query(
            """
            INSERT INTO prices (model_id, input, output, cache_read, cache_write)
            VALUES (\(id), \(price.input)::numeric, \(price.output)::numeric, \(price.cacheRead)::numeric,
                    \(price.cacheWrite)::numeric)
            ON CONFLICT (model_id) DO UPDATE SET input = excluded.input, output = excluded.output,
                cache_read = excluded.cache_read, cache_write = excluded.cache_write
            """,
            logger: logger
        )
    }

    static func readBack(_ id: Int, on connection: PostgresConnection, logger: Logger) async throws -> ModelRecord {
        guard let record = try await Self.models(on: connection, provider: nil, id: id, logger: logger).first else {
            throw APIError(.internalServerError, "the model just written cannot be read back")
        }
        return record
    }
}
