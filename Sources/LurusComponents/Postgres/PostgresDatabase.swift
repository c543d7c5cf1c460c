import LurusInventory

/// One service's database: its name, the role that owns it (same name, so `pg_hba.conf` can say
/// `sameuser`), the secret holding the role's password, and where that password is kept on the node.
struct PostgresDatabase: Hashable {
    var service: Component
    var name: String

    var role: String { self.name }
    var secret: String { "postgres/\(self.service.name)" }
    var passwordFile: String { "\(Self.passwordDirectory)/\(self.role)" }

    static let passwordDirectory = "/etc/lurus/secrets/postgres"

    /// The services that keep state in PostgreSQL, in the order their databases are made.
    static let services: [Component] = [.gateway, .provider, .billing]

    /// A database for every such service placed in the cluster.
    static func all(in inventory: Inventory) -> [PostgresDatabase] {
        self.services.filter(inventory.isPlaced).map { PostgresDatabase(service: $0, name: "lurus_\($0.name)") }
    }

    /// The guard of a role: log in over TCP as the role with the password kept on the node, and check that
    /// the role is no superuser and owns its database. Arguments: role, database, password file, port.
    static let loginCheck = """
        pw=$(cat "$3" 2>/dev/null) || exit 1
        out=$(PGPASSWORD="$pw" PGCONNECT_TIMEOUT=5 psql -X -w -h 127.0.0.1 -p "$4" -U "$1" -d "$2" -tA -c \
        "SELECT r.rolsuper OR r.rolcreaterole OR r.rolcreatedb, pg_get_userbyid(d.datdba) \
        FROM pg_roles r, pg_database d WHERE r.rolname = current_user AND d.datname = current_database()") || exit 1
        [ "$out" = "f|$1" ]
        """
}

/// PostgreSQL settings from the node's memory, in MB: a quarter for shared buffers (at most 8 GB), three
/// quarters as the planner's cache estimate, and per-operation memory sized for `maxConnections`.
struct PostgresMemory {
    var totalMB: Int

    init(memoryKiB: Int64) {
        // Facts not read (0): plan for 1 GB, PostgreSQL's smallest sensible machine.
        self.totalMB = memoryKiB > 0 ? Int(memoryKiB / 1024) : 1024
    }

    static let maxConnections = 200

    var sharedBuffersMB: Int { min(max(self.totalMB / 4, 128), 8192) }
    var effectiveCacheSizeMB: Int { max(self.totalMB * 3 / 4, 256) }
    var maintenanceWorkMemMB: Int { min(max(self.totalMB / 20, 64), 2048) }
    var workMemMB: Int { max(self.totalMB / 4 / Self.maxConnections, 4) }
}
