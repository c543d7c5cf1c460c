import LurusInventory

/// One component's backup, verify or drill as data: the node it runs on, the scripts and their
/// arguments. Deciding them is pure (`ComponentJobs.backups`); running them is `BackupRun`'s.
public struct ComponentJob: Sendable, Hashable {
    public var component: BackupComponent
    public var node: Node
    /// How the manifest names the method.
    public var method: String
    /// Template names under `backup/`, run after `s3`.
    public var scripts: [String]
    public var arguments: [String]
    /// PostgreSQL's backup with backup.point_in_time: the script installs the WAL archive program, which
    /// goes on its stdin.
    public var installsWALArchive = false
}

public enum ComponentJobs {
    /// A dump is stored in segments of this size (each one PUT with its own SHA-256); it is also the most
    /// a backup stages on a node's disk at once, twice (one segment uploading while the next is read).
    public static let defaultSegmentBytes = 64 << 20

    /// The components a backup takes: those placed (K3s only on its server), narrowed by `--only`.
    public static func components(in inventory: Inventory, only: [BackupComponent]) -> [BackupComponent] {
        BackupComponent.allCases.filter { component in
            (only.isEmpty || only.contains(component)) && self.node(of: component, in: inventory) != nil
        }
    }

    /// The node a component's backup runs on: PostgreSQL's and ClickHouse's node, K3s's first server.
    public static func node(of component: BackupComponent, in inventory: Inventory) -> Node? {
        switch component {
        case .postgres: inventory.nodes(running: .postgres).first
        case .clickhouse: inventory.nodes(running: .clickhouse).first
        case .k3s: inventory.nodes(running: .k3sServer).first
        }
    }

    /// What a job does with a component.
    public enum Kind: String, Sendable {
        case backup, verify, drill, restore
    }

    /// The job of `kind` for `component` on `node`, or nil when there is none (K3s is restored by hand).
    /// Each script name is a template under `backup/`; the component's shared part (`postgres.sh`,
    /// `clickhouse.sh`) and, for the checks and restores, the spec reader come first.
    public static func job(
        _ kind: Kind,
        _ component: BackupComponent,
        node: Node,
        method: String,
        inventory: Inventory,
        folder: String,
        segmentBytes: Int = defaultSegmentBytes
    ) -> ComponentJob? {
        guard !(kind == .restore && component == .k3s) else { return nil }
        let name = component.rawValue
        let shared = component == .k3s ? [] : [name]
        let server: [String] =
            switch component {
            case .postgres: self.postgresServer(inventory)
            case .clickhouse: [self.clickhousePort(inventory)]
            case .k3s: kind == .backup ? [self.k3sDataDirectory] : []
            }
        let base = component == .postgres && inventory.backup?.pointInTime == true
        let (scripts, arguments): ([String], [String]) =
            switch kind {
            case .backup where base:
                (
                    shared + ["postgres-archive", "postgres-backup"],
                    [folder, String(segmentBytes)] + server + ["base", self.layout(inventory).walRoot]
                )
            case .backup: (shared + ["\(name)-backup"], [folder, String(segmentBytes)] + server)
            case .verify, .drill: (["read-spec"] + shared + ["\(name)-check"], [kind.rawValue, folder] + server)
            case .restore: (["read-spec"] + shared + ["\(name)-restore"], [folder] + server)
            }
        var job = ComponentJob(component: component, node: node, method: method, scripts: scripts, arguments: arguments)
        job.installsWALArchive = kind == .backup && base
        return job
    }

    /// A point-in-time recovery of PostgreSQL from `part`'s base backup to `target` (PostgreSQL's
    /// `recovery_target_time`), replaying the WAL of the base backup's server, on the node that runs
    /// PostgreSQL now; the recovered server archives on to the inventory's recipients.
    public static func pointInTime(
        _ part: ComponentBackup,
        target: String,
        inventory: Inventory,
        folder: String
    ) -> ComponentJob? {
        guard part.component == .postgres, let system = part.systemIdentifier,
            let node = self.node(of: .postgres, in: inventory)
        else { return nil }
        let recipients = inventory.backup?.encryptTo ?? []
        return ComponentJob(
            component: .postgres,
            node: node,
            method: part.method,
            scripts: ["read-spec", "postgres", "postgres-archive", "postgres-pitr"],
            arguments: [folder] + self.postgresServer(inventory)
                + [target, self.layout(inventory).walFolder(system: system), recipients.joined(separator: " ")]
        )
    }

    static func layout(_ inventory: Inventory) -> BackupLayout {
        BackupLayout(prefix: inventory.backup?.prefix ?? "", cluster: inventory.cluster)
    }

    /// How the manifest names each component's method.
    public static func method(of component: BackupComponent, in inventory: Inventory) -> String {
        guard component == .postgres, inventory.backup?.pointInTime == true else { return self.method(of: component) }
        return "pg_dump -Fc, pg_dumpall --globals-only, pg_basebackup -Ft -X fetch and archived WAL, zstd -1"
    }

    public static func method(of component: BackupComponent) -> String {
        switch component {
        case .postgres: "pg_dump -Fc, pg_dumpall --globals-only, zstd -1"
        case .clickhouse: "SHOW CREATE and SELECT … FORMAT Native, zstd -1"
        case .k3s: "sqlite3 .backup, tar of token, tls, cred and /etc/rancher/k3s, zstd -1"
        }
    }

    /// The backup of each component: into `folder` (the backup's, ending in `/`).
    public static func backups(
        _ components: [BackupComponent],
        inventory: Inventory,
        folder: String,
        segmentBytes: Int = defaultSegmentBytes
    ) -> [ComponentJob] {
        components.compactMap { component in
            self.node(of: component, in: inventory).flatMap { node in
                self.job(
                    .backup,
                    component,
                    node: node,
                    method: self.method(of: component, in: inventory),
                    inventory: inventory,
                    folder: folder,
                    segmentBytes: segmentBytes
                )
            }
        }
    }

    /// The verify (`drill: false`) or drill of one component part of a stored backup, on the node that
    /// made it (or, when that node is gone from the inventory, the one that runs the component now).
    public static func check(
        _ part: ComponentBackup,
        drill: Bool,
        inventory: Inventory,
        folder: String
    ) -> ComponentJob? {
        guard let node = inventory.node(named: part.node) ?? self.node(of: part.component, in: inventory) else {
            return nil
        }
        let kind: Kind = drill ? .drill : .verify
        return self.job(kind, part.component, node: node, method: part.method, inventory: inventory, folder: folder)
    }

    /// The restore over the live databases of one component part, on the node that runs it now.
    public static func restore(_ part: ComponentBackup, inventory: Inventory, folder: String) -> ComponentJob? {
        guard let node = self.node(of: part.component, in: inventory) else { return nil }
        return self.job(.restore, part.component, node: node, method: part.method, inventory: inventory, folder: folder)
    }

    /// The checker's stdin after the credentials: every object and table of the part (read-spec.sh).
    public static func spec(of part: ComponentBackup) -> [UInt8] {
        var lines: [String] = []
        for object in part.objects {
            lines.append(
                [
                    "object", object.stream, object.content.rawValue, object.database ?? "", object.table ?? "",
                    object.key, object.sha256,
                ].joined(separator: "\t")
            )
        }
        for table in part.tables {
            lines.append(
                ["table", table.database, table.table, String(table.rows), table.contentHash].joined(separator: "\t")
            )
            for column in table.columns ?? [] {
                lines.append(["column", table.database, table.table, column.name, column.type].joined(separator: "\t"))
            }
        }
        return Array((lines.joined(separator: "\n") + "\n").utf8)
    }

    static let k3sDataDirectory = "/var/lib/rancher/k3s"

    static func postgresServer(_ inventory: Inventory) -> [String] {
        let version = inventory.versions["postgres"] ?? "15"
        let major = String(version.prefix { $0 != "." })
        return ["/usr/lib/postgresql/\(major)/bin", String(inventory.settings(for: .postgres).port("port") ?? 5432)]
    }

    static func clickhousePort(_ inventory: Inventory) -> String {
        String(inventory.settings(for: .clickhouse).port("http_port") ?? 8123)
    }
}
