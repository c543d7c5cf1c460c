import LurusEngine
import LurusInventory

/// `node-exporter`: on every node once Prometheus is placed, listening on the mesh address only, with its
/// textfile collector reading the folder of `health.textfile_path`, where `lurusctl backup` and `health`
/// write (Debian's package would read /var/lib/prometheus/node-exporter instead).
enum NodeExporterComponent: ComponentDefinition {
    static func secretNames(inventory: Inventory, node: Node) -> [SecretNeed] { [] }

    static func resources(_ context: ComponentContext) throws -> (resources: [Resource.Kind], notices: [String]) {
        let program = try PrometheusProgram.of(
            context,
            project: "node_exporter",
            debianPackage: "prometheus-node-exporter"
        )
        let installed = try program.resources(context)
        let textfiles = context.inventory.health.textfileDirectory
        let parent = "/" + textfiles.split(separator: "/").dropLast().joined(separator: "/")
        let unit = SystemdUnit(
            name: "prometheus-node-exporter.service",
            content: try context.render(
                "node-exporter.service",
                [
                    "version": program.version,
                    "binary": program.binary("node_exporter", debian: "prometheus-node-exporter"),
                    "listen": MeshAddresses.hostPort(try context.meshAddress(), context.port("port")),
                    "textfile_directory": textfiles,
                ]
            )
        )
        let resources: [Resource.Kind] =
            installed.resources + [
                .directory(Directory(path: parent)),
                .directory(Directory(path: textfiles)),
                .systemdUnit(unit),
                .service(Service("prometheus-node-exporter", restartOn: [unit.id] + installed.changes)),
            ]
        return (resources, [])
    }
}
