import LurusEngine
import LurusInventory
import LurusRemote

/// `tailscale`, on every node of a Tailscale mesh: Tailscale's apt repository (its real signing key, in
/// `templates/tailscale/tailscale.asc.mustache`), the pinned `tailscale` package, `tailscaled`, and
/// `tailscale up` with every flag on every run.
///
/// `tailscale up` forgets flags between runs (and refuses a run that leaves out one set before), so the
/// command passes all of them each time. The auth key reaches it as `--auth-key=file:PATH`, a 0600 file
/// written from the secret, never in argv. The command runs while a check of `tailscale status` fails
/// (not Running, or another hostname or tags), and again when the key file changes.
enum TailscaleComponent: ComponentDefinition {
    static let secret = "tailscale/auth-key"
    static let authKeyPath = "/etc/lurus/secrets/tailscale-auth-key"

    static func secretNames(inventory: Inventory, node: Node) -> [SecretNeed] {
        guard case .tailscale(let settings) = inventory.mesh else { return [] }
        return [SecretNeed(self.secret, reference: settings.authKey)]
    }

    static func resources(_ context: ComponentContext) throws -> (resources: [Resource.Kind], notices: [String]) {
        guard case .tailscale(let settings) = context.inventory.mesh else {
            return ([], ["the mesh is not Tailscale: nothing to do"])
        }
        let authKey = try context.secret(self.secret)
        guard !authKey.bytes.isEmpty else {
            throw context.error(
                "the Tailscale auth key (\(settings.authKey)) is empty",
                hint: "make a reusable, tagged auth key in Tailscale's admin console and point mesh.auth_key at it"
            )
        }
        let keyFile = File(path: self.authKeyPath, content: authKey.bytes, mode: 0o600, sensitive: true)
        let up = TailscaleUp(node: context.node.name, settings: settings, authKeyPath: keyFile.path)
        let repository = AptRepository(
            name: "tailscale",
            uris: "https://pkgs.tailscale.com/stable/debian",
            suites: try DebianRelease.codename(of: context),
            components: "main",
            signingKey: try context.render("tailscale.asc", [:])
        )
        let resources: [Resource.Kind] = [
            .aptRepository(repository),
            .package(Package("tailscale", version: try context.version())),
            .service(Service("tailscaled")),
            .file(keyFile),
            .command(
                Command(
                    "tailscale up",
                    ShellCommand(up.arguments),
                    unless: ShellScript(
                        "tailscale-status",
                        try context.render("status-check.sh", [:]),
                        up.expectedState
                    ).command,
                    refreshOn: [keyFile.id],
                    timeout: .seconds(TailscaleUp.waitSeconds + 60)
                )
            ),
        ]
        return (resources, [])
    }
}
