import LurusEngine
import LurusInventory
import LurusRemote

/// `jaeger`: Jaeger v2 (one `jaeger` process: an OpenTelemetry Collector build with Jaeger's storage and
/// query) from the project's release archive of `versions.jaeger`, accepted only with
/// `components.jaeger.sha256`. It receives OTLP over gRPC and HTTP (where the services send their spans:
/// `TRACING_ENDPOINT`), keeps spans in Badger on the node's disk for `retention`, and serves the UI and its
/// API, its health (`/status`) and its own metrics (scraped by Prometheus): all on the mesh address only.
///
/// A changed configuration is checked with `jaeger validate` on the node first: a broken one fails the
/// step, and the running Jaeger keeps what it had. Jaeger then restarts (spans a service sends meanwhile
/// are retried by its exporter).
enum JaegerComponent: ComponentDefinition {
    static let user = "jaeger"
    static let configPath = "/etc/jaeger/config.yaml"
    static let dataDirectory = "/var/lib/jaeger"

    static func secretNames(inventory: Inventory, node: Node) -> [SecretNeed] { [] }

    static func resources(_ context: ComponentContext) throws -> (resources: [Resource.Kind], notices: [String]) {
        let version = try context.version()
        let bare = version.hasPrefix("v") ? String(version.dropFirst()) : version
        guard bare.hasPrefix("2.") else {
            throw context.error(
                "versions.jaeger is \(version): lurusctl configures Jaeger v2 (Jaeger 1.x reached its end of life)",
                hint: "set versions.jaeger to a 2.x release, e.g. 2.20.0, with its sha256"
            )
        }
        let platform = try ReleaseArchive.platform(context, publisher: "the Jaeger project", alternative: "")
        let name = "jaeger-\(bare)-\(platform)"
        let archive = ReleaseArchive(
            repository: "jaegertracing/jaeger",
            name: name,
            tag: "v\(bare)",
            sha256: try ReleaseArchive.sha256(
                context,
                archive: name,
                // The release's jaeger-V-PLATFORM.sha256sum.txt lists the unpacked binaries, not the archive.
                whereToFind: "sha256sum of the archive of https://github.com/jaegertracing/jaeger/releases/tag/v\(bare)"
                    + " after checking its .asc signature"
            ),
            binary: "jaeger"
        )
        let installed = try archive.resources(context)
        let address = try context.meshAddress()
        let memory = context.bytes("memory_max")
        let config = File(
            path: self.configPath,
            text: try context.render(
                "config.yaml",
                [
                    "version": bare,
                    "otlp_grpc": MeshAddresses.hostPort(address, context.port("otlp_grpc_port")),
                    "otlp_http": MeshAddresses.hostPort(address, context.port("otlp_http_port")),
                    "ui": MeshAddresses.hostPort(address, context.port("ui_port")),
                    "query_grpc": MeshAddresses.hostPort(address, context.port("query_grpc_port")),
                    "health": MeshAddresses.hostPort(address, context.port("health_port")),
                    "metrics_host": address,
                    "metrics_port": context.port("metrics_port"),
                    "keys": "\(self.dataDirectory)/badger/keys",
                    "values": "\(self.dataDirectory)/badger/values",
                    "retention": Self.goDuration(milliseconds: context.milliseconds("retention")),
                ]
            ),
            mode: 0o644
        )
        let binary = archive.path("jaeger")
        let unit = SystemdUnit(
            name: "jaeger.service",
            content: try context.render(
                "jaeger.service",
                [
                    "version": bare,
                    "binary": binary,
                    "config": self.configPath,
                    "memory_max": memory,
                    "go_memory_limit": memory / 10 * 9,
                ]
            )
        )
        let check = ShellScript(
            "jaeger-check",
            "exec \"$1\" validate --config=\"file:$2\" 1>&2",
            [binary, self.configPath]
        )
        let resources: [Resource.Kind] =
            [.group(Group(self.user)), .user(User(self.user, home: self.dataDirectory))] + installed.resources + [
                .directory(Directory(path: "/etc/jaeger")),
                .directory(Directory(path: self.dataDirectory, owner: self.user, group: self.user)),
                .directory(Directory(path: "\(self.dataDirectory)/badger", owner: self.user, group: self.user)),
                .file(config),
                .command(
                    Command(
                        "jaeger validate config",
                        check.command,
                        unless: check.command,
                        refreshOn: [config.id],
                        timeout: .seconds(60)
                    )
                ),
                .systemdUnit(unit),
                .service(Service("jaeger", restartOn: [unit.id, config.id] + installed.changes)),
            ]
        return (resources, [])
    }

    /// A duration as Go's `time.ParseDuration` takes it (no days): `72h`, `90m`, `45s`.
    static func goDuration(milliseconds: Int64) -> String {
        PrometheusFlags.duration(milliseconds: milliseconds, units: [("h", 3_600_000), ("m", 60_000), ("s", 1000)])
    }
}
