import LurusEngine
import LurusInventory
import LurusRemote

/// `clickhouse`: ClickHouse from its own repository (pinned) or Debian's 18.16, listening on localhost and
/// the mesh address; the `default` user kept to localhost, a `lurus` user (password from the secret
/// `clickhouse/lurus`, stored as its sha256) for the log service, and the request-log database.
///
/// Settings and users are `config.d`/`users.d` files over the package's own; ClickHouse re-reads users by
/// itself, so a new password needs no restart. The database is made over HTTP on localhost by a script;
/// its tables and their retention belong to the log service, which migrates them at start (one owner).
enum ClickHouseComponent: ComponentDefinition {
    static let secret = "clickhouse/lurus"
    static let database = "lurus_logs"

    static func secretNames(inventory: Inventory, node: Node) -> [SecretNeed] { [SecretNeed(self.secret)] }

    static func resources(_ context: ComponentContext) throws -> (resources: [Resource.Kind], notices: [String]) {
        let password = try context.secret(self.secret)
        let mesh = try context.meshAddress()
        let httpPort = context.port("http_port")
        var resources = try self.packages(context)
        let config = File(
            path: "/etc/clickhouse-server/config.d/lurus.xml",
            text: try context.render(
                "lurus-config.xml",
                [
                    "mesh_address": mesh, "http_port": httpPort, "native_port": context.port("native_port"),
                    "metrics_port": self.servesMetrics(context.inventory) ? context.port("metrics_port") : false,
                ]
            )
        )
        let users = File(
            path: "/etc/clickhouse-server/users.d/lurus.xml",
            text: try context.render(
                "lurus-users.xml",
                [
                    "password_sha256": Digest.sha256Hex(password.bytes),
                    "networks": context.mesh.network(of: context.node),
                    "database": self.database,
                ]
            ),
            mode: 0o600,
            owner: "clickhouse",
            group: "clickhouse",
            sensitive: true
        )
        let script = try context.render("database.sh", ["database": self.database])
        resources += [
            .directory(Directory(path: "/etc/clickhouse-server/config.d")),
            .directory(Directory(path: "/etc/clickhouse-server/users.d")),
            .file(config),
            .file(users),
            // A changed users file (a rotated password) restarts the server too: ClickHouse re-reads it on
            // its own only seconds later, and the log service deployed right after would be refused.
            .service(Service("clickhouse-server", restartOn: [config.id, users.id])),
            .command(
                Command(
                    "clickhouse database \(self.database)",
                    ShellScript("clickhouse-database", script, [String(httpPort)]).command,
                    unless: ShellScript("clickhouse-database", script, [String(httpPort), "check"]).command,
                    timeout: .seconds(120)
                )
            ),
        ]
        return (resources, [])
    }

    /// Whether ClickHouse serves Prometheus's format itself: with Prometheus placed, from ClickHouse's own
    /// repository (20.1 and later have the endpoint; Debian's 18.16 has none).
    static func servesMetrics(_ inventory: Inventory) -> Bool {
        inventory.isPlaced(.prometheus) && inventory.settings(for: .clickhouse)["source"]?.description == "official"
    }

    /// Debian's `clickhouse-server` (18.16 on Debian 12), or the pinned release from ClickHouse's repository.
    static func packages(_ context: ComponentContext) throws -> [Resource.Kind] {
        let version = try context.version()
        switch context.text("source") {
        case "debian":
            return [.package(Package("clickhouse-server", version: version))]
        default:
            return [
                .aptRepository(
                    AptRepository(
                        name: "clickhouse",
                        uris: "https://packages.clickhouse.com/deb",
                        suites: "stable",
                        components: "main",
                        signingKey: try context.render("clickhouse.asc", [:])
                    )
                ),
                .package(Package("clickhouse-common-static", version: version)),
                .package(Package("clickhouse-server", version: version)),
                .package(Package("clickhouse-client", version: version)),
            ]
        }
    }
}
