import LurusEngine
import LurusInventory
import LurusRemote

/// `postgres`: PostgreSQL from Debian or the PostgreSQL project (pgdg), listening on the mesh address and
/// localhost, tuned from the node's memory, with one database and one least-privilege role per service.
///
/// Roles are created and updated by SQL sent on stdin to `psql` as `postgres`; the SQL carries a SCRAM
/// verifier, never the password. Each role's password is also kept on the node in a 0600 file, which the
/// guard uses to log in: a role whose password no longer works is set again, and a changed secret (the file
/// changes) sets it again too.
enum PostgresComponent: ComponentDefinition {
    static func secretNames(inventory: Inventory, node: Node) -> [SecretNeed] {
        PostgresDatabase.all(in: inventory).map { SecretNeed($0.secret) }
    }

    static func resources(_ context: ComponentContext) throws -> (resources: [Resource.Kind], notices: [String]) {
        let major = try context.version()
        let port = context.port("port")
        let paths = PostgresPaths(major: major)
        var resources: [Resource.Kind] = []
        resources += try self.packages(context, major: major)
        // Settings.
        let memory = PostgresMemory(memoryKiB: context.facts.memoryKiB)
        let settings = File(
            path: paths.settings,
            text: try context.render(
                "lurus.conf",
                [
                    "listen": "localhost,\(try context.meshAddress())",
                    "port": port,
                    "memory_mb": memory.totalMB,
                    "max_connections": PostgresMemory.maxConnections,
                    "shared_buffers_mb": memory.sharedBuffersMB,
                    "effective_cache_size_mb": memory.effectiveCacheSizeMB,
                    "maintenance_work_mem_mb": memory.maintenanceWorkMemMB,
                    "work_mem_mb": memory.workMemMB,
                ]
            ),
            owner: "postgres",
            group: "postgres"
        )
        let access = File(
            path: paths.hba,
            text: try context.render(
                "pg_hba.conf",
                [
                    "networks": context.mesh.network(of: context.node),
                    "exporter": PostgresExporter.isOn(context.inventory),
                ]
            ),
            mode: 0o640,
            owner: "postgres",
            group: "postgres"
        )
        // Point-in-time recovery: WAL archived continuously (archive_mode needs a restart).
        let pointInTime = context.inventory.backup?.pointInTime == true
        var archive = File(
            path: paths.archive,
            text: try context.render("archive.conf", [:]),
            owner: "postgres",
            group: "postgres"
        )
        if !pointInTime { archive.ensure = .absent }
        resources.append(.directory(Directory(path: paths.confD, owner: "postgres", group: "postgres")))
        resources.append(.file(settings))
        resources.append(.file(archive))
        resources.append(.file(access))
        resources.append(
            .service(Service("postgresql", restartOn: [settings.id, archive.id], reloadOn: [access.id]))
        )
        // Roles and databases.
        resources.append(.directory(Directory(path: PostgresDatabase.passwordDirectory, mode: 0o700)))
        // One command for every role and database, and one guard that checks them all with one psql.
        let databases = PostgresDatabase.all(in: context.inventory)
        var sql = ""
        var passwordFiles: [ResourceID] = []
        var checked: [String] = [paths.psql, String(port)]
        for database in databases {
            let password = try context.secret(database.secret)
            let passwordFile = File(
                path: database.passwordFile,
                content: password.bytes,
                mode: 0o600,
                sensitive: true
            )
            sql += try context.render(
                "role.sql",
                [
                    "role": database.role,
                    "database": database.name,
                    "verifier": ScramVerifier.make(password: password.bytes),
                ]
            )
            resources.append(.file(passwordFile))
            passwordFiles.append(passwordFile.id)
            checked += [database.role, database.name, database.passwordFile]
        }
        if !databases.isEmpty {
            resources.append(
                .command(
                    Command(
                        "postgres roles \(databases.map(\.role).joined(separator: ", "))",
                        ShellCommand(["runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1"]),
                        input: Array(sql.utf8),
                        unless: ShellScript("postgres-logins", PostgresDatabase.loginCheck, checked).command,
                        refreshOn: passwordFiles,
                        timeout: .seconds(60),
                        sensitive: true
                    )
                )
            )
        }
        if PostgresExporter.isOn(context.inventory) {
            resources += try PostgresExporter.resources(context, psql: paths.psql)
        }
        return (resources, [])
    }

    /// The server packages: Debian's (only its own major) or the PostgreSQL project's repository.
    static func packages(_ context: ComponentContext, major: String) throws -> [Resource.Kind] {
        switch context.text("source") {
        case "pgdg":
            let suite = try DebianRelease.codename(of: context)
            return [
                .aptRepository(
                    AptRepository(
                        name: "pgdg",
                        uris: "https://apt.postgresql.org/pub/repos/apt",
                        suites: "\(suite)-pgdg",
                        components: "main",
                        signingKey: try context.render("pgdg.asc", [:])
                    )
                ),
                .package(Package("postgresql-\(major)")),
            ]
        default:
            if let shipped = DebianRelease.postgresMajor[context.facts.osVersion], shipped != major {
                throw context.error(
                    "Debian \(context.facts.osVersion) ships PostgreSQL \(shipped), not \(major)",
                    hint: "set components.postgres.source: pgdg, or versions.postgres: \"\(shipped)\""
                )
            }
            return [.package(Package("postgresql-\(major)"))]
        }
    }
}

/// Where Debian's layout keeps one cluster's configuration (`main`, made by the package).
struct PostgresPaths {
    var major: String

    var directory: String { "/etc/postgresql/\(self.major)/main" }
    var confD: String { "\(self.directory)/conf.d" }
    var settings: String { "\(self.confD)/50-lurus.conf" }
    /// WAL archiving, with backup.point_in_time.
    var archive: String { "\(self.confD)/60-lurus-archive.conf" }
    var hba: String { "\(self.directory)/pg_hba.conf" }
    /// The server's own psql, without Debian's version-picking wrapper.
    var psql: String { "/usr/lib/postgresql/\(self.major)/bin/psql" }
}
