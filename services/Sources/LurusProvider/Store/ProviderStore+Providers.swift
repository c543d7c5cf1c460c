import Foundation
import LLMWire
import PostgresNIO

extension ProviderStore {
    /// Every provider, by name.
    public func providers() async throws -> [ProviderRecord] {
        let logger = self.logger
        return try await self.client.withConnection { try await Self.providers(on: $0, where: nil, logger: logger) }
    }

    /// The provider named `name`, or nil.
    public func provider(named name: String) async throws -> ProviderRecord? {
        let logger = self.logger
        return try await self.client.withConnection {
            try await Self.providers(on: $0, where: name, logger: logger).first
        }
    }

    /// Creates a provider; 409 when the name is taken.
    public func createProvider(
        _ input: ProviderInput,
        who: String
    ) async throws -> (value: ProviderRecord, version: Int) {
        let logger = self.logger
        return try await self.change(who: who, entity: "provider", action: "create") { connection in
            if try await !Self.providers(on: connection, where: input.name, logger: logger).isEmpty {
                throw APIError.conflict("name", "a provider named \"\(input.name)\" exists already")
            }
            try await connection.query(
                """
                INSERT INTO providers (name, protocol, base_url, api_key_file, api_key_env, priority, weight, enabled)
                VALUES (\(input.name), \(input.protocol), \(input.baseURL), \(input.keyFile), \(input.keyVariable),
                        \(input.priority), \(input.weight), \(input.enabled))
                """,
                logger: logger
            )
            guard let record = try await Self.providers(on: connection, where: input.name, logger: logger).first else {
                throw APIError(.internalServerError, "the provider just created cannot be read back")
            }
            return ChangeOutcome(name: input.name, before: nil, after: input.json, value: record)
        }
    }

    /// Replaces the provider named `name` with what `transform` makes of it (PUT, PATCH).
    public func updateProvider(
        named name: String,
        who: String,
        _ transform: @escaping @Sendable (ProviderInput) throws -> ProviderInput
    ) async throws -> (value: ProviderRecord, version: Int) {
        let logger = self.logger
        return try await self.change(who: who, entity: "provider", action: "update") { connection in
            guard let current = try await Self.providers(on: connection, where: name, lock: true, logger: logger).first
            else { throw APIError.notFound("no provider named \"\(name)\"") }
            let input = try transform(current.input)
            if input.name != name, try await !Self.providers(on: connection, where: input.name, logger: logger).isEmpty
            {
                throw APIError.conflict("name", "a provider named \"\(input.name)\" exists already")
            }
            try await connection.query(
                """
                UPDATE providers SET name = \(input.name), protocol = \(input.protocol), base_url = \(input.baseURL),
                    api_key_file = \(input.keyFile), api_key_env = \(input.keyVariable), priority = \(input.priority),
                    weight = \(input.weight), enabled = \(input.enabled), updated_at = now()
                WHERE id = \(current.id)
                """,
                logger: logger
            )
            guard let record = try await Self.providers(on: connection, where: input.name, logger: logger).first else {
                throw APIError(.internalServerError, "the provider just updated cannot be read back")
            }
            return ChangeOutcome(name: input.name, before: current.input.json, after: input.json, value: record)
        }
    }

    /// Deletes the provider named `name` and its models.
    public func deleteProvider(named name: String, who: String) async throws -> Int {
        let logger = self.logger
        return try await self.change(who: who, entity: "provider", action: "delete") { connection in
            guard let current = try await Self.providers(on: connection, where: name, lock: true, logger: logger).first
            else { throw APIError.notFound("no provider named \"\(name)\"") }
            let models = try await Self.models(on: connection, provider: name, id: nil, logger: logger)
            try await connection.query("DELETE FROM providers WHERE id = \(current.id)", logger: logger)
            let before = current.input.json.merged(
                with: .object(["models": .array(models.map { .string($0.input.name) })])
            )
            return ChangeOutcome(name: name, before: before, after: nil, value: ())
        }.version
    }

    /// The audit trail, newest first.
    public func changes(limit: Int) async throws -> [ChangeRecord] {
        let rows = try await self.client.query(
            """
            SELECT id, at, who, entity, name, action, before::text, after::text, version
            FROM changes ORDER BY id DESC LIMIT \(limit)
            """,
            logger: self.logger
        )
        var records: [ChangeRecord] = []
        for try await row in rows.decode((Int, Date, String, String, String, String, String?, String?, Int).self) {
            records.append(
                ChangeRecord(
                    id: row.0,
                    at: row.1,
                    who: row.2,
                    entity: row.3,
                    name: row.4,
                    action: row.5,
                    before: row.6.flatMap { try? JSONValue.parse(Array($0.utf8)) },
                    after: row.7.flatMap { try? JSONValue.parse(Array($0.utf8)) },
                    version: row.8
                )
            )
        }
        return records
    }
}

extension ProviderInput {
    var keyFile: String? {
        if case .file(let path) = self.key { return path }
        return nil
    }

    var keyVariable: String? {
        if case .environment(let name) = self.key { return name }
        return nil
    }
}
