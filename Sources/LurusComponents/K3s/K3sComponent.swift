import LurusEngine
import LurusInventory
import LurusRemote

/// `k3s-server` and `k3s-agent`: K3s pinned to `versions.k3s`, configured by `/etc/rancher/k3s/config.yaml`
/// (written before the install, so K3s starts configured), joined with the generated secret `k3s/token`
/// (a 0600 token file, never argv), and ready when Kubernetes reports the node Ready.
///
/// Everything uses the mesh: the node's own mesh address is its node IP, and an agent joins the server at
/// the server's mesh address. Until Tailscale is up on both, the unit is deferred to the second pass.
/// Agents run one after another (the catalog chains them), so an upgrade takes one agent down at a time.
enum K3sComponent: ComponentDefinition {
    static let tokenSecret = "k3s/token"
    /// How long the last step waits for the node to be Ready.
    static let readySeconds = 180

    static func secretNames(inventory: Inventory, node: Node) -> [SecretNeed] { [SecretNeed(self.tokenSecret)] }

    static func resources(_ context: ComponentContext) throws -> (resources: [Resource.Kind], notices: [String]) {
        let role = K3sRole(context.component)
        let serverSettings = context.inventory.settings(for: .k3sServer)
        let apiPort = serverSettings.port("api_port") ?? 6443
        let token = try context.secret(self.tokenSecret)
        guard !token.bytes.isEmpty, !token.bytes.contains(UInt8(ascii: "\n")) else {
            throw context.error(
                "the secret \(self.tokenSecret) is empty or spans lines",
                hint: "give it a one-line value, or remove it from secrets: so lurusctl generates one"
            )
        }
        var serverURL: String?
        if role == .agent {
            guard let server = context.inventory.nodes(running: .k3sServer).first else {
                throw context.error(
                    "no node runs k3s-server for this agent to join",
                    hint: "add k3s-server to one node's components"
                )
            }
            serverURL = K3sConfig.url(host: try context.meshAddress(of: server), port: apiPort)
        }
        var flannelInterface: String?
        if case .tailscale(let settings) = context.inventory.mesh { flannelInterface = settings.interface }
        let config = K3sConfig(
            component: context.component,
            node: context.node,
            role: role,
            meshAddress: try context.meshAddress(),
            flannelInterface: flannelInterface,
            apiPort: apiPort,
            serverURL: serverURL
        )
        let configFile = File(
            path: K3sConfig.path,
            text: try context.templates.render("k3s/config.yaml", config.values),
            mode: 0o600
        )
        let tokenFile = File(path: K3sConfig.tokenPath, content: token.bytes, mode: 0o600, sensitive: true)
        let install = K3sInstall(context: context, role: role, version: try context.version(), settings: serverSettings)
        var resources: [Resource.Kind] = [
            .directory(Directory(path: "/etc/rancher/k3s")),
            .file(tokenFile),
            .file(configFile),
        ]
        resources += try install.resources()
        resources.append(.service(Service(role.service, restartOn: [configFile.id, tokenFile.id])))
        resources.append(.command(try self.readiness(context, role: role)))
        // `lurusctl backup` copies a server's SQLite datastore with sqlite3's online backup.
        if role == .server { resources.append(.package(Package("sqlite3"))) }
        return (resources, [])
    }

    /// Waits (bounded) until the node is Ready; met, and so skipped, while it already is.
    static func readiness(_ context: ComponentContext, role: K3sRole) throws -> Command {
        let script = try context.templates.render("k3s/node-ready.sh", [:])
        let name = context.node.name
        func check(_ seconds: Int) -> ShellCommand {
            ShellScript("k3s-node-ready", script, [name, String(seconds), role.service] + role.kubectlArguments).command
        }
        return Command(
            "k3s node \(name) Ready",
            check(self.readySeconds),
            unless: check(0),
            timeout: .seconds(self.readySeconds + 60)
        )
    }
}
