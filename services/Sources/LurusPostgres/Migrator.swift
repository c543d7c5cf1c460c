import Logging
import PostgresNIO

/// Brings a service's schema up to date at start, safely with several replicas starting at once: one
/// transaction takes a lock of the service's own (`pg_advisory_xact_lock`), reads `schema_migrations`,
/// applies what is pending and records it. A second replica waits on the lock, then finds nothing to do;
/// a failure rolls everything back, so a half-applied schema never exists.
public enum Migrator {
    /// Applies `migrations`; returns the versions it applied.
    @discardableResult
    public static func migrate(
        _ migrations: [Migration],
        service: String,
        client: PostgresClient,
        lockTimeout: Duration = .seconds(60),
        logger: Logger
    ) async throws -> [Int] {
        do {
            return try await Self.migrateInTransaction(
                migrations,
                service: service,
                client: client,
                lockTimeout: lockTimeout,
                logger: logger
            )
        } catch let error as PostgresTransactionError {
            // The error that failed the transaction, not the wrapper (a rollback that failed too is rare
            // and the server ends the transaction with the session anyway).
            throw error.closureError ?? error.beginError ?? error.commitError ?? error
        }
    }

    private static func migrateInTransaction(
        _ migrations: [Migration],
        service: String,
        client: PostgresClient,
        lockTimeout: Duration,
        logger: Logger
    ) async throws -> [Int] {
        try await client.withTransaction(logger: logger) { connection in
            let milliseconds = lockTimeout.components.seconds * 1000
            try await connection.query(
                PostgresQuery(unsafeSQL: "SET LOCAL lock_timeout = \(milliseconds)"),
                logger: logger
            )
            try await connection.query(
                "SELECT pg_advisory_xact_lock(hashtext(\("lurus-migrations:" + service)))",
                logger: logger
            )
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    service text NOT NULL,
                    version integer NOT NULL,
                    name text NOT NULL,
                    checksum text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (service, version)
                )
                """,
                logger: logger
            )
            var applied: [Int: String] = [:]
            let rows = try await connection.query(
                "SELECT version, checksum FROM schema_migrations WHERE service = \(service)",
                logger: logger
            )
            for try await (version, checksum) in rows.decode((Int, String).self) {
                applied[version] = checksum
            }
            let plan = try MigrationPlan.decide(migrations: migrations, applied: applied, service: service)
            if !plan.unknown.isEmpty {
                logger.warning(
                    "the database has migrations this release does not know (a newer release applied them); going on",
                    metadata: ["versions": "\(plan.unknown)"]
                )
            }
            for migration in plan.pending {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    """
                    INSERT INTO schema_migrations (service, version, name, checksum)
                    VALUES (\(service), \(migration.version), \(migration.name), \(migration.checksum))
                    """,
                    logger: logger
                )
                logger.info(
                    "migration applied",
                    metadata: ["version": "\(migration.version)", "name": "\(migration.name)"]
                )
            }
            return plan.pending.map(\.version)
        }
    }
}
