import LurusEngine
import LurusInventory
import LurusRemote

/// `alertmanager`: Alertmanager (Debian's or the pinned release archive) on the mesh address only, routing
/// as `alerting:` says (`AlertmanagerConfiguration`), one instance (its cluster gossip port is off).
///
/// A changed configuration is checked with amtool on the node before Alertmanager reloads it: a broken one
/// fails the step, and the running Alertmanager keeps the routes it had.
enum AlertmanagerComponent: ComponentDefinition {
    static let configPath = "/etc/prometheus/alertmanager.yml"
    static let dataDirectory = "/var/lib/prometheus/alertmanager"

    static func secretNames(inventory: Inventory, node: Node) -> [SecretNeed] {
        AlertmanagerConfiguration.secretNeeds(inventory.alerting)
    }

    static func resources(_ context: ComponentContext) throws -> (resources: [Resource.Kind], notices: [String]) {
        let program = try PrometheusProgram.of(
            context,
            project: "alertmanager",
            debianPackage: "prometheus-alertmanager"
        )
        let installed = try program.resources(context)
        let alerting = context.inventory.alerting
        var webhooks: [String: String] = [:]
        for receiver in alerting?.receivers ?? [] where receiver.webhook != nil {
            let url = try context.secret(AlertmanagerConfiguration.webhookSecret(receiver.name)).text
            guard url.hasPrefix("https://") || url.hasPrefix("http://"), !url.contains(where: \.isNewline) else {
                // Never echo it: a webhook URL usually holds a token.
                throw context.error(
                    "the webhook of receiver \(receiver.name) (\(receiver.webhook!)) is not an http(s) URL",
                    hint: "make that secret hold one URL, e.g. https://hooks.example.com/T0/B0/XXXX"
                )
            }
            webhooks[receiver.name] = url
        }
        let listen = MeshAddresses.hostPort(try context.meshAddress(), context.port("port"))
        let config = File(
            path: self.configPath,
            text: AlertmanagerConfiguration.render(alerting, webhooks: webhooks),
            mode: 0o640,
            group: PrometheusProgram.user,
            sensitive: !webhooks.isEmpty
        )
        var secretFiles: [File] = []
        if alerting?.email?.password != nil {
            secretFiles.append(
                File(
                    path: AlertmanagerConfiguration.smtpPasswordPath,
                    text: try context.secret(AlertmanagerConfiguration.smtpSecret).text,
                    mode: 0o640,
                    group: PrometheusProgram.user,
                    sensitive: true
                )
            )
        }
        let unit = SystemdUnit(
            name: "prometheus-alertmanager.service",
            content: try context.render(
                "alertmanager.service",
                [
                    "version": program.version,
                    "binary": program.binary("alertmanager", debian: "prometheus-alertmanager"),
                    "config": self.configPath,
                    "data": self.dataDirectory,
                    "listen": listen,
                    "external_url": "http://\(listen)/",
                ]
            )
        )
        let check = ShellScript(
            "alertmanager-check",
            "exec \"$1\" check-config \"$2\" 1>&2",
            [program.binary("amtool"), self.configPath]
        )
        let changedFiles = [config.id] + secretFiles.map(\.id)
        var notices: [String] = []
        if alerting == nil {
            notices.append("alerting: is not in the inventory: alerts reach no one")
        }
        let resources: [Resource.Kind] =
            installed.resources + PrometheusProgram.folders(data: self.dataDirectory)
            + secretFiles.map { .file($0) } + [
                .file(config),
                .command(
                    Command(
                        "alertmanager check config",
                        check.command,
                        unless: check.command,
                        refreshOn: changedFiles,
                        timeout: .seconds(60)
                    )
                ),
                .systemdUnit(unit),
                .service(
                    Service(
                        "prometheus-alertmanager",
                        restartOn: [unit.id] + installed.changes,
                        reloadOn: changedFiles
                    )
                ),
            ]
        return (resources, notices)
    }
}
