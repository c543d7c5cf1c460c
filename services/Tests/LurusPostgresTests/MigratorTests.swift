import Foundation
import Logging
import PostgresNIO
import TestServers
import Testing

@testable import LurusPostgres

/// Migrations against a real PostgreSQL: applied once, safe with replicas starting together, all or
/// nothing, and an edited released migration refused.
@Suite struct MigratorTests {
    static let logger = Logger(label: "test.migrations")

    static let first = [
        Migration(1, "accounts", ["CREATE TABLE accounts (id text PRIMARY KEY, balance bigint NOT NULL)"]),
        Migration(2, "account names", ["ALTER TABLE accounts ADD COLUMN name text"]),
    ]

    static func withClient<T: Sendable>(
        _ server: PostgresServerProcess,
        _ body: @Sendable (PostgresClient) async throws -> T
    ) async throws -> T {
        let settings = PostgresSettings(
            port: server.port,
            user: server.user,
            database: server.database,
            password: server.password
        )
        let client = PostgresClient(configuration: settings.clientConfiguration, backgroundLogger: Self.logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            let result = try await body(client)
            group.cancelAll()
            return result
        }
    }

    @Test func appliesPendingMigrationsOnceAndRecordsThem() async throws {
        let server = try await PostgresServerProcess.start()
        try await Self.withClient(server) { (client: PostgresClient) async throws in
            #expect(
                try await Migrator.migrate(Self.first, service: "test", client: client, logger: Self.logger) == [1, 2]
            )
            #expect(try await Migrator.migrate(Self.first, service: "test", client: client, logger: Self.logger) == [])
            let third = Self.first + [Migration(3, "index", ["CREATE INDEX accounts_name ON accounts (name)"])]
            #expect(try await Migrator.migrate(third, service: "test", client: client, logger: Self.logger) == [3])
            // Another service's migrations are its own.
            #expect(
                try await Migrator.migrate(
                    [Self.first[0]].map {
                        Migration($0.version, $0.name, ["CREATE TABLE other_accounts (id text)"])
                    },
                    service: "other",
                    client: client,
                    logger: Self.logger
                ) == [1]
            )
        }
        #expect(
            try await server.psql("SELECT service, version, name FROM schema_migrations ORDER BY 1, 2") == """
                other|1|accounts
                test|1|accounts
                test|2|account names
                test|3|index

                """
        )
    }

    @Test func replicasStartingTogetherApplyEachMigrationOnce() async throws {
        let server = try await PostgresServerProcess.start()
        // Each replica its own client (its own connections), all at once; a migration that takes a while.
        let slow =
            Self.first + [Migration(3, "slow", ["SELECT pg_sleep(0.3)", "INSERT INTO accounts VALUES ('a', 1, 'x')"])]
        let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try await Self.withClient(server) { (client: PostgresClient) async throws in
                        try await Migrator.migrate(slow, service: "test", client: client, logger: Self.logger)
                    }
                }
            }
            return try await group.reduce(into: [[Int]]()) { $0.append($1) }
        }
        #expect(applied.filter { !$0.isEmpty } == [[1, 2, 3]], "one replica applied everything, the others nothing")
        #expect(try await server.psql("SELECT count(*) FROM accounts") == "1\n")
    }

    @Test func aFailingMigrationLeavesNothingApplied() async throws {
        let server = try await PostgresServerProcess.start()
        let broken = Self.first + [Migration(3, "broken", ["ALTER TABLE accounts ADD COLUMN id text"])]
        try await Self.withClient(server) { (client: PostgresClient) async throws in
            await #expect(throws: PSQLError.self) {
                try await Migrator.migrate(broken, service: "test", client: client, logger: Self.logger)
            }
        }
        #expect(
            try await server.psql("SELECT count(*) FROM pg_tables WHERE tablename IN ('accounts', 'schema_migrations')")
                == "0\n"
        )
    }

    @Test func anEditedReleasedMigrationIsRefusedByName() async throws {
        let server = try await PostgresServerProcess.start()
        let edited = [Self.first[0], Migration(2, "account names", ["ALTER TABLE accounts ADD COLUMN title text"])]
        try await Self.withClient(server) { (client: PostgresClient) async throws in
            try await Migrator.migrate(Self.first, service: "test", client: client, logger: Self.logger)
            await #expect(
                throws: MigrationError(
                    "test: migration 2 (account names) differs from the one applied to the database; "
                        + "a released migration must not change: add a new one instead"
                )
            ) {
                try await Migrator.migrate(edited, service: "test", client: client, logger: Self.logger)
            }
            // An older release (it knows only migration 1) still starts on the newer schema.
            #expect(
                try await Migrator.migrate([Self.first[0]], service: "test", client: client, logger: Self.logger) == []
            )
        }
    }

    @Test func planDecisions() throws {
        let plan = try MigrationPlan.decide(
            migrations: Self.first,
            applied: [1: Self.first[0].checksum, 7: "x"],
            service: "s"
        )
        #expect(plan.pending.map(\.version) == [2])
        #expect(plan.unknown == [7])
        #expect(throws: MigrationError("s: two migrations share a version")) {
            try MigrationPlan.decide(migrations: Self.first + [Self.first[0]], applied: [:], service: "s")
        }
    }
}
