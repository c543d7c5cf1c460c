import Foundation

/// What one backup holds, written as the backup's last object (`manifest.json`): a backup without its
/// manifest is not a backup, and `backup list` shows it as incomplete. Every object of the backup is named
/// here with its size and SHA-256 (computed while it streamed); every table with the row count and
/// content hash read in the same snapshot as its dump, which a restore and a drill check against.
public struct BackupManifest: Sendable, Hashable, Codable {
    /// The manifest format this lurusctl writes; a newer one is refused with a message, never guessed at.
    public static let currentFormat = 1

    public var format: Int
    public var cluster: String
    public var id: BackupID
    public var startedAt: Date
    public var finishedAt: Date
    /// The lurusctl that made it (`lurusctl --version`).
    public var tool: String
    /// The age recipients (public keys) the objects are encrypted to; empty when they are not.
    public var recipients: [String]
    public var components: [ComponentBackup]

    public init(
        cluster: String,
        id: BackupID,
        startedAt: Date,
        finishedAt: Date,
        tool: String,
        recipients: [String] = [],
        components: [ComponentBackup]
    ) {
        self.format = Self.currentFormat
        self.cluster = cluster
        self.id = id
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.tool = tool
        self.recipients = recipients
        self.components = components
    }

    /// Every object, in component order.
    public var objects: [BackupObject] { self.components.flatMap(\.objects) }

    /// The bytes stored, manifest left out.
    public var storedBytes: Int64 { self.objects.reduce(0) { $0 + $1.bytes } }

    /// The component part named `component`, if the backup has it.
    public func component(_ component: BackupComponent) -> ComponentBackup? {
        self.components.first { $0.component == component }
    }
}

/// What `lurusctl backup --only` can name.
public enum BackupComponent: String, Sendable, Hashable, Codable, CaseIterable {
    case postgres
    case clickhouse
    case k3s
}

/// One component's part of a backup: where it was taken and with what, its objects and its tables.
public struct ComponentBackup: Sendable, Hashable, Codable {
    public var component: BackupComponent
    public var node: String
    /// The server's own version string (`server_version`, `version()`, `k3s --version`): a restore onto
    /// an older server is refused by it.
    public var serverVersion: String
    /// How it was taken: `pg_dump -Fc`, `clickhouse native`, `clickhouse backup`, `k3s sqlite`.
    public var method: String
    public var objects: [BackupObject]
    public var tables: [TableSnapshot]
    /// PostgreSQL with a base backup: the WAL segment in use when it started, the oldest a point-in-time
    /// recovery from it reads (older archived WAL is needed by no backup kept after this one).
    public var walStart: String?
    /// PostgreSQL with a base backup: the server's system identifier, which names its WAL's folder.
    public var systemIdentifier: String?

    /// Whether this part can start a point-in-time recovery.
    public var hasBase: Bool { self.objects.contains { $0.content == .postgresBase } }

    public init(
        component: BackupComponent,
        node: String,
        serverVersion: String,
        method: String,
        objects: [BackupObject],
        tables: [TableSnapshot] = []
    ) {
        self.component = component
        self.node = node
        self.serverVersion = serverVersion
        self.method = method
        self.objects = objects
        self.tables = tables
    }
}

/// One stored object: its key under the backup's folder, what it holds, its size and SHA-256 as stored
/// (after compression and encryption: what `backup verify` re-reads).
public struct BackupObject: Sendable, Hashable, Codable {
    public enum Content: String, Sendable, Hashable, Codable {
        /// `pg_dump -Fc` of one database.
        case postgresDatabase = "postgres-database"
        /// `pg_dumpall --globals-only`: roles and their memberships.
        case postgresGlobals = "postgres-globals"
        /// `pg_basebackup -Ft -X fetch`: the server's files, the start of a point-in-time recovery.
        case postgresBase = "postgres-base"
        /// `SHOW CREATE` of one ClickHouse table.
        case clickhouseSchema = "clickhouse-schema"
        /// One ClickHouse table's rows in the Native format.
        case clickhouseData = "clickhouse-data"
        /// The K3s datastore, copied with SQLite's online backup.
        case k3sDatastore = "k3s-datastore"
        /// K3s's token, TLS and credential folders and `/etc/rancher/k3s`, as one tar.
        case k3sFiles = "k3s-files"
    }

    public var key: String
    public var content: Content
    /// The database (and for a table's objects, the table) it belongs to.
    public var database: String?
    public var table: String?
    public var bytes: Int64
    /// Lower-case hex SHA-256 of the stored bytes.
    public var sha256: String
    /// `zstd`, or nil for an object stored as it is.
    public var compression: String?
    public var encrypted: Bool
    /// For a ClickHouse table's CREATE statement, the table's engine: a restore creates tables before the
    /// views that feed them, and loads rows before those views exist.
    public var engine: String?

    public init(
        key: String,
        content: Content,
        database: String? = nil,
        table: String? = nil,
        bytes: Int64,
        sha256: String,
        compression: String? = "zstd",
        encrypted: Bool = false,
        engine: String? = nil
    ) {
        self.key = key
        self.content = content
        self.database = database
        self.table = table
        self.bytes = bytes
        self.sha256 = sha256
        self.compression = compression
        self.encrypted = encrypted
        self.engine = engine
    }

    /// Which stream the object is a segment of: a dump is stored as `NAME.0000`, `NAME.0001`, … in order.
    public var stream: String {
        guard let dot = self.key.lastIndex(of: "."), self.key[self.key.index(after: dot)...].allSatisfy(\.isNumber)
        else { return self.key }
        return String(self.key[..<dot])
    }
}

/// A ClickHouse column as the backup stored it (materialized and alias columns are computed again).
public struct TableColumn: Sendable, Hashable, Codable {
    public var name: String
    public var type: String

    public init(name: String, type: String) {
        self.name = name
        self.type = type
    }
}

/// A table as the backup saw it, in the snapshot its dump was taken from: `count(*)` and an order-free
/// content hash (PostgreSQL: the sum of `hashtext(row::text)`; ClickHouse: the sum, mod 2^64, of
/// `cityHash64` of every stored column), so a restore can be checked row for row without a second copy.
public struct TableSnapshot: Sendable, Hashable, Codable {
    public var database: String
    public var table: String
    public var rows: Int64
    public var contentHash: String
    /// ClickHouse: the stored columns, in the dump's order (a verify reads the dump back through them).
    public var columns: [TableColumn]?

    public init(database: String, table: String, rows: Int64, contentHash: String, columns: [TableColumn]? = nil) {
        self.database = database
        self.table = table
        self.rows = rows
        self.contentHash = contentHash
        self.columns = columns
    }
}
