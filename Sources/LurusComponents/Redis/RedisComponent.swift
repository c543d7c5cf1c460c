import LurusEngine
import LurusInventory

/// `redis`: Debian's Redis, bound to localhost and the mesh address, with the default user's password from
/// the secret `redis/default` and the memory limit and eviction policy from the inventory.
///
/// Debian's `/etc/redis/redis.conf` stays the package's; a marked block at its end includes lurusctl's two
/// files (settings, and the password in a 0600 file only Redis reads), so package upgrades keep working.
enum RedisComponent: ComponentDefinition {
    static let secret = "redis/default"

    static func secretNames(inventory: Inventory, node: Node) -> [SecretNeed] { [SecretNeed(self.secret)] }

    static func resources(_ context: ComponentContext) throws -> (resources: [Resource.Kind], notices: [String]) {
        let password = try context.secret(self.secret)
        try ConfigQuoting.check(password, in: context)
        let settings = File(
            path: "/etc/redis/lurus.conf",
            text: try context.render(
                "lurus.conf",
                [
                    "mesh_address": try context.meshAddress(),
                    "port": context.port("port"),
                    "maxmemory": context.bytes("maxmemory"),
                    "maxmemory_policy": context.text("maxmemory_policy"),
                ]
            ),
            mode: 0o640,
            group: "redis"
        )
        let auth = File(
            path: "/etc/redis/lurus-auth.conf",
            text: try context.render("auth.conf", ["password": password.text]),
            mode: 0o600,
            owner: "redis",
            group: "redis",
            sensitive: true
        )
        let include = FileBlock(
            path: "/etc/redis/redis.conf",
            name: "includes",
            lines: ["include \(settings.path)", "include \(auth.path)"]
        )
        var resources: [Resource.Kind] = [
            // Debian's packages carry epoch 5, which apt's version match needs written out.
            .package(Package("redis-server", version: try "5:" + context.version())),
            .file(settings),
            .file(auth),
            .fileBlock(include),
            .service(Service("redis-server", restartOn: [settings.id, auth.id, include.id])),
        ]
        if context.inventory.isPlaced(.prometheus) {
            resources += try RedisExporter.resources(context, password: password)
        }
        return (resources, [])
    }
}
