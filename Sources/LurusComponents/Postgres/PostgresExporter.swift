import LurusEngine
import LurusInventory
import LurusRemote

/// Debian's `prometheus-postgres-exporter` beside PostgreSQL once Prometheus is placed: on the mesh
/// address (`exporter_port`), logged in over the local socket as role `prometheus` by peer authentication
/// (no password anywhere), a member of `pg_monitor`, which reads statistics and nothing of the data.
enum PostgresExporter {
    static let role = "prometheus"

    static func isOn(_ inventory: Inventory) -> Bool { inventory.isPlaced(.prometheus) }

    static func resources(_ context: ComponentContext, psql: String) throws -> [Resource.Kind] {
        let package = Package("prometheus-postgres-exporter")
        let sql = """
            DO $$ BEGIN
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '\(self.role)') THEN
                    CREATE ROLE \(self.role) LOGIN;
                END IF;
            END $$;
            GRANT pg_monitor TO \(self.role);
            """
        let check = ShellScript(
            "postgres-monitor-check",
            """
            [ "$(runuser -u prometheus -- "$1" -X -w -h /var/run/postgresql -p "$2" -d postgres -tAc \\
                "SELECT pg_has_role('pg_monitor', 'member')" 2>/dev/null)" = t ]
            """,
            [psql, String(context.port("port"))]
        )
        let unit = SystemdUnit(
            name: "prometheus-postgres-exporter.service",
            content: try context.render(
                "postgres-exporter.service",
                [
                    "port": context.port("port"),
                    "listen": MeshAddresses.hostPort(try context.meshAddress(), context.port("exporter_port")),
                ]
            )
        )
        return [
            .package(package),
            .command(
                Command(
                    "postgres role \(self.role) (pg_monitor)",
                    ShellCommand(["runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1"]),
                    input: Array(sql.utf8),
                    unless: check.command,
                    timeout: .seconds(60)
                )
            ),
            .systemdUnit(unit),
            .service(Service("prometheus-postgres-exporter", restartOn: [unit.id, package.id])),
        ]
    }
}
