import Foundation
import Logging
import LurusPostgres
import PostgresNIO
import TestServers

@testable import LurusBilling

/// A real PostgreSQL with billing's schema, and a store on it, for one test.
struct BillingFixture: Sendable {
    static let logger = Logger(label: "test.billing")

    let server: PostgresServerProcess
    let store: BillingStore
    /// The store's client, for checks that must be quicker than a psql run.
    let client: PostgresClient

    var settings: PostgresSettings {
        PostgresSettings(
            port: self.server.port,
            user: self.server.user,
            database: self.server.database,
            password: self.server.password,
            maximumConnections: 40
        )
    }

    /// Starts a server, runs `body` with a migrated store, and stops the client after.
    static func with<T: Sendable>(_ body: @Sendable (BillingFixture) async throws -> T) async throws -> T {
        let server = try await PostgresServerProcess.start()
        let settings = PostgresSettings(
            port: server.port,
            user: server.user,
            database: server.database,
            password: server.password,
            maximumConnections: 40
        )
        let client = PostgresClient(configuration: settings.clientConfiguration, backgroundLogger: Self.logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            try await Migrator.migrate(BillingMigrations.all, service: "billing", client: client, logger: Self.logger)
            let fixture = BillingFixture(
                server: server,
                store: BillingStore(client: client, logger: Self.logger),
                client: client
            )
            let result = try await body(fixture)
            group.cancelAll()
            return result
        }
    }

    /// A user with `balance` and one key with `limits`.
    func customer(
        balance: Micros,
        limits: KeyLimits = KeyLimits()
    ) async throws -> (user: User, key: KeyRecord, secret: String) {
        let user = try await self.store.createUser(name: "team \(UUID().uuidString.prefix(6))", email: nil)
        if balance.value > 0 {
            _ = try await self.store.topUp(
                userID: user.id,
                amount: balance,
                idempotencyKey: UUID().uuidString,
                note: nil,
                by: "test"
            )
        }
        let (key, issued) = try await self.store.createKey(userID: user.id, name: "k", limits: limits)
        return (try await self.store.user(id: user.id)!, key, issued.secret)
    }

    /// One value of a query, through psql.
    func scalar(_ sql: String) async throws -> String {
        try await self.server.psql(sql).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func charge(_ requestID: String, key: String, micros: Int64, lease: String = "") -> UsageCharge {
        UsageCharge(
            requestID: requestID,
            keyID: key,
            leaseID: lease,
            cost: Micros(micros),
            model: "m",
            provider: "p",
            outcome: "ok",
            inputTokens: 10,
            outputTokens: 5,
            cacheReadTokens: 0,
            cacheWriteTokens: 0,
            occurredAt: "2026-12-02T10:00:00Z"
        )
    }
}
