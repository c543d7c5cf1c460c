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

    /// The guard of every role at once, in one psql process: log in over TCP as each role with the
    /// password kept on the node, and check that it is no superuser and owns its database. Arguments: the
    /// psql binary (the server's own, not Debian's Perl wrapper, which costs 30 ms to start), the port,
    /// then role, database and password file for each role. The passwords go to libpq through a
    /// temporary password file (0600, removed on exit), never a command line or the environment.
    static let loginCheck = """
        set -u
        psql=$1 port=$2; shift 2
        umask 077
        pass=$(mktemp) || exit 1
        trap 'rm -f -- "$pass"' EXIT
        first= script= expected=
        query="SELECT r.rolsuper OR r.rolcreaterole OR r.rolcreatedb, pg_get_userbyid(d.datdba) \\
        FROM pg_roles r, pg_database d WHERE r.rolname = current_user AND d.datname = current_database();"
        while [ $# -ge 3 ]; do
            role=$1 db=$2 file=$3; shift 3
            pw=$(cat -- "$file" 2>/dev/null) || exit 1
            # ~/.pgpass format: host:port:database:user:password, with : and \\ escaped in the password.
            printf '127.0.0.1:%s:%s:%s:' "$port" "$db" "$role" >> "$pass"
            printf '%s\\n' "$pw" | sed 's/[\\\\:]/\\\\&/g' >> "$pass"
            if [ -z "$first" ]; then
                first="host=127.0.0.1 port=$port dbname=$db user=$role"
            else
                script="$script\\\\connect -reuse-previous=off $db $role 127.0.0.1 $port
        "
            fi
            script="$script$query
        "
            expected="${expected:+$expected
        }f|$role"
        done
        out=$(printf '%s' "$script" | PGPASSFILE="$pass" PGCONNECT_TIMEOUT=5 "$psql" -X -w -q -tA -v ON_ERROR_STOP=1 "$first") \\
            || exit 1
        [ "$out" = "$expected" ]
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
