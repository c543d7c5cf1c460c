import LurusEngine
import LurusInventory

/// `nats`: Debian's NATS server with JetStream on, clients and monitoring on the mesh address only, and one
/// user for the services (`lurus`, password from the secret `nats/lurus`). Streams are declared by the
/// services that own them.
///
/// The configuration lives in `/etc/nats` (the password in its own 0640 file readable by the `nats` group);
/// a systemd drop-in points the packaged unit at it, so the package's `/etc/nats-server.conf` is left alone.
enum NatsComponent: ComponentDefinition {
    static let secret = "nats/lurus"

    static func secretNames(inventory: Inventory, node: Node) -> [SecretNeed] { [SecretNeed(self.secret)] }

    static func resources(_ context: ComponentContext) throws -> (resources: [Resource.Kind], notices: [String]) {
        let password = try context.secret(self.secret)
        try ConfigQuoting.check(password, in: context)
        let store = context.text("jetstream_dir")
        let config = File(
            path: "/etc/nats/nats-server.conf",
            text: try context.render(
                "nats-server.conf",
                [
                    "node": context.node.name,
                    "mesh_address": try context.meshAddress(),
                    "client_port": context.port("client_port"),
                    "monitor_port": context.port("monitor_port"),
                    "store_dir": store,
                    "max_memory": context.bytes("jetstream_max_memory"),
                    "max_file": context.bytes("jetstream_max_file"),
                ]
            ),
            mode: 0o640,
            group: "nats"
        )
        let auth = File(
            path: "/etc/nats/auth.conf",
            text: try context.render("auth.conf", ["password": password.text]),
            mode: 0o640,
            group: "nats",
            sensitive: true
        )
        let dropIn = SystemdUnit(
            name: "nats-server.service.d/lurus.conf",
            content: try context.render("nats-server.service", [:])
        )
        let resources: [Resource.Kind] = [
            .package(Package("nats-server", version: try context.version())),
            .directory(Directory(path: "/etc/nats", mode: 0o750, group: "nats")),
            .file(config),
            .file(auth),
            .directory(Directory(path: store, mode: 0o750, owner: "nats", group: "nats")),
            .directory(Directory(path: "/etc/systemd/system/nats-server.service.d")),
            .systemdUnit(dropIn),
            .service(Service("nats-server", restartOn: [config.id, auth.id, dropIn.id])),
        ]
        return (resources, [])
    }
}
