import Crypto

/// One step of a service's schema, applied once, in version order, never edited once released: a change
/// is a new migration. Statements run one by one (PostgreSQL's extended protocol takes one at a time), all
/// in the one transaction that applies every pending migration.
public struct Migration: Sendable, Hashable {
    public var version: Int
    public var name: String
    public var statements: [String]

    public init(_ version: Int, _ name: String, _ statements: [String]) {
        self.version = version
        self.name = name
        self.statements = statements
    }

    /// SHA-256 of the statements: a released migration that was edited is found at the next start.
    public var checksum: String {
        let digest = SHA256.hash(data: Array(self.statements.joined(separator: "\n;\n").utf8))
        return digest.map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
    }
}

/// What applying the migrations must do, decided from what the database records: pure, so every case is
/// tested without a server.
public struct MigrationPlan: Sendable, Equatable {
    /// Not yet applied, in version order.
    public var pending: [Migration]
    /// Versions the database has that this binary does not know: a newer release migrated it. They are
    /// kept (a rollback runs the older binary on the newer schema, which migrations keep additive).
    public var unknown: [Int]

    /// Decides the plan, or throws when a migration this binary knows was applied with other statements.
    public static func decide(
        migrations: [Migration],
        applied: [Int: String],
        service: String
    ) throws(MigrationError) -> MigrationPlan {
        let known = Dictionary(migrations.map { ($0.version, $0) }, uniquingKeysWith: { first, _ in first })
        guard known.count == migrations.count else {
            throw MigrationError("\(service): two migrations share a version")
        }
        for (version, checksum) in applied.sorted(by: { $0.key < $1.key }) {
            if let migration = known[version], migration.checksum != checksum {
                throw MigrationError(
                    "\(service): migration \(version) (\(migration.name)) differs from the one applied to the database; "
                        + "a released migration must not change: add a new one instead"
                )
            }
        }
        return MigrationPlan(
            pending: migrations.filter { applied[$0.version] == nil }.sorted { $0.version < $1.version },
            unknown: applied.keys.filter { known[$0] == nil }.sorted()
        )
    }
}

/// Why a service's schema could not be brought up to date.
public struct MigrationError: Error, CustomStringConvertible, Equatable {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
