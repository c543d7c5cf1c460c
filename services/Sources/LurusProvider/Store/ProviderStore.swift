import Foundation
import LLMWire
import Logging
import PostgresNIO

/// The providers, models and prices in PostgreSQL. Every change goes through ``change(who:entity:action:_:)``:
/// one transaction holds the change, its audit row and the catalog version's increment.
public struct ProviderStore: Sendable {
    public let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// What a change did, for its audit row.
    struct ChangeOutcome<Value: Sendable>: Sendable {
        var name: String
        var before: JSONValue?
        var after: JSONValue?
        var value: Value
    }

    /// Runs `body` in a transaction with the audit row and the version increment; returns its value and
    /// the new catalog version. An `APIError` thrown by `body` comes out as it is; a unique violation is
    /// a 409 on `conflictField`.
    func change<Value: Sendable>(
        who: String,
        entity: String,
        action: String,
        conflictField: String = "name",
        _ body: @escaping @Sendable (PostgresConnection) async throws -> ChangeOutcome<Value>
    ) async throws -> (value: Value, version: Int) {
        let logger = self.logger
        do {
            return try await self.client.withTransaction(logger: logger) { connection in
                let outcome = try await body(connection)
                let rows = try await connection.query(
                    "UPDATE catalog_version SET version = version + 1 RETURNING version",
                    logger: logger
                )
                var version = 0
                for try await (value) in rows.decode(Int.self) { version = value }
                try await connection.query(
                    """
                    INSERT INTO changes (who, entity, name, action, before, after, version)
                    VALUES (\(who), \(entity), \(outcome.name), \(action), \(outcome.before?.jsonText)::jsonb,
                            \(outcome.after?.jsonText)::jsonb, \(version))
                    """,
                    logger: logger
                )
                return (outcome.value, version)
            }
        } catch let error as PostgresTransactionError {
            let underlying = error.closureError ?? error.beginError ?? error.commitError ?? error
            throw Self.translate(underlying, conflictField: conflictField)
        } catch {
            throw Self.translate(error, conflictField: conflictField)
        }
    }

    static func translate(_ error: any Error, conflictField: String) -> any Error {
        if let error = error as? PSQLError, let state = error.serverInfo?[.sqlState] {
            switch state {
            case "23505": return APIError.conflict(conflictField, "already exists")
            case "23514", "23502", "22P02", "22003":
                return APIError(
                    .unprocessableContent,
                    "refused by the database: \(error.serverInfo?[.message] ?? state)"
                )
            default: break
            }
        }
        return error
    }

    /// A round trip to the database (the health probe).
    public func ping() async throws {
        try await self.client.query("SELECT 1", logger: self.logger)
    }

    /// The current catalog version.
    public func version() async throws -> Int {
        let rows = try await self.client.query("SELECT version FROM catalog_version", logger: self.logger)
        for try await value in rows.decode(Int.self) { return value }
        return 0
    }

    /// The catalog's contents at one version (one repeatable-read snapshot).
    public func catalogContents() async throws -> CatalogContents {
        let logger = self.logger
        return try await self.client.withTransaction(logger: logger) { connection in
            try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
            var version = 0
            for try await value in try await connection.query("SELECT version FROM catalog_version", logger: logger)
                .decode(Int.self)
            {
                version = value
            }
            let providers = try await Self.providers(on: connection, where: nil, logger: logger)
            let models = try await Self.models(on: connection, provider: nil, id: nil, logger: logger)
            return CatalogContents(version: version, providers: providers, models: models)
        }
    }

    static let providerColumns = """
        SELECT id, name, protocol, base_url, api_key_file, api_key_env, priority, weight, enabled, created_at, updated_at
        FROM providers
        """

    static func providers(
        on connection: PostgresConnection,
        where name: String?,
        lock: Bool = false,
        logger: Logger
    )
        async throws -> [ProviderRecord]
    {
        var query = PostgresQuery(
            unsafeSQL: Self.providerColumns + (name == nil ? " ORDER BY name" : " WHERE name = $1")
        )
        if let name {
            query = PostgresQuery(unsafeSQL: Self.providerColumns + " WHERE name = $1" + (lock ? " FOR UPDATE" : ""))
            query.binds.append(name)
        }
        let rows = try await connection.query(query, logger: logger)
        var records: [ProviderRecord] = []
        for try await row in rows.decode(
            (Int, String, String, String, String?, String?, Int, Double, Bool, Date, Date).self
        ) {
            let key: KeyReference = row.4.map(KeyReference.file) ?? .environment(row.5 ?? "")
            records.append(
                ProviderRecord(
                    id: row.0,
                    input: ProviderInput(
                        name: row.1,
                        protocol: row.2,
                        baseURL: row.3,
                        key: key,
                        priority: row.6,
                        weight: row.7,
                        enabled: row.8
                    ),
                    createdAt: row.9,
                    updatedAt: row.10
                )
            )
        }
        return records
    }

    static func models(
        on connection: PostgresConnection,
        provider: String?,
        id: Int?,
        logger: Logger
    )
        async throws -> [ModelRecord]
    {
        var sql = """
            SELECT m.id, p.name, m.name, m.upstream, m.aliases, m.enabled, pr.input::float8, pr.output::float8,
                   pr.cache_read::float8, pr.cache_write::float8, m.created_at, m.updated_at
            FROM models m JOIN providers p ON p.id = m.provider_id JOIN prices pr ON pr.model_id = m.id
            """
        var query = PostgresQuery(unsafeSQL: sql)
        if let provider {
            sql += " WHERE p.name = $1"
            query = PostgresQuery(unsafeSQL: sql + " ORDER BY p.name, m.name")
            query.binds.append(provider)
        } else if let id {
            query = PostgresQuery(unsafeSQL: sql + " WHERE m.id = $1")
            query.binds.append(id)
        } else {
            query = PostgresQuery(unsafeSQL: sql + " ORDER BY p.name, m.name")
        }
        let rows = try await connection.query(query, logger: logger)
        var records: [ModelRecord] = []
        for try await row in rows.decode(
            (Int, String, String, String, [String], Bool, Double, Double, Double, Double, Date, Date).self
        ) {
            records.append(
                ModelRecord(
                    id: row.0,
                    input: ModelInput(
                        provider: row.1,
                        name: row.2,
                        upstream: row.3,
                        aliases: row.4,
                        enabled: row.5,
                        price: ModelPricing(input: row.6, output: row.7, cacheRead: row.8, cacheWrite: row.9)
                    ),
                    createdAt: row.10,
                    updatedAt: row.11
                )
            )
        }
        return records
    }
}
