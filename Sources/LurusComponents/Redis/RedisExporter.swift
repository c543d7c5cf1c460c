import LurusEngine
import LurusInventory

/// Debian's `prometheus-redis-exporter` beside Redis once Prometheus is placed: on the mesh address
/// (`exporter_port`), talking to Redis on localhost with the default user's password from a 0600
/// environment file systemd reads (never an argument).
enum RedisExporter {
    static let environmentPath = "/etc/lurus/redis-exporter.env"

    static func resources(_ context: ComponentContext, password: Secret) throws -> [Resource.Kind] {
        let package = Package("prometheus-redis-exporter")
        let environment = File(
            path: self.environmentPath,
            text: "REDIS_PASSWORD=\"\(password.text)\"\n",
            mode: 0o600,
            sensitive: true
        )
        let unit = SystemdUnit(
            name: "prometheus-redis-exporter.service",
            content: try context.render(
                "redis-exporter.service",
                [
                    "environment_file": environment.path,
                    "redis": "redis://127.0.0.1:\(context.port("port"))",
                    "listen": MeshAddresses.hostPort(try context.meshAddress(), context.port("exporter_port")),
                ]
            )
        )
        return [
            .package(package),
            .directory(Directory(path: "/etc/lurus")),
            .file(environment),
            .systemdUnit(unit),
            .service(Service("prometheus-redis-exporter", restartOn: [unit.id, package.id, environment.id])),
        ]
    }
}
