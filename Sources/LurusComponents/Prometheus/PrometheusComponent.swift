import LurusEngine
import LurusInventory
import LurusRemote

/// `prometheus`: Prometheus (Debian's or the pinned release archive) listening on the mesh address only,
/// scraping what `ScrapeTargets` derives from the inventory, evaluating the alert rules (`AlertRules`) and
/// sending alerts to every placed Alertmanager; samples kept for `retention` or up to `retention_size`,
/// memory capped at `memory_max` (Go's collector aims at 90% of it).
///
/// A changed configuration or rule file is checked with promtool on the node first (a broken one fails
/// the step and leaves the running Prometheus as it was), then reloaded without a restart.
enum PrometheusComponent: ComponentDefinition {
    static let configPath = "/etc/prometheus/prometheus.yml"
    static let rulesPath = "/etc/prometheus/alerts.yml"
    static let dataDirectory = "/var/lib/prometheus/metrics2"

    static func secretNames(inventory: Inventory, node: Node) -> [SecretNeed] { [] }

    static func resources(_ context: ComponentContext) throws -> (resources: [Resource.Kind], notices: [String]) {
        let program = try PrometheusProgram.of(context, project: "prometheus", debianPackage: "prometheus")
        let installed = try program.resources(context)
        let listen = MeshAddresses.hostPort(try context.meshAddress(), context.port("port"))
        let scrape = try ScrapeTargets.of(context.inventory) { try context.meshAddress(of: $0) }
        let alertmanagers = try context.inventory.nodes(running: .alertmanager).map { node in
            MeshAddresses.hostPort(
                try context.meshAddress(of: node),
                context.inventory.settings(for: .alertmanager).port("port") ?? 0
            )
        }
        let interval = context.milliseconds("scrape_interval")
        let memory = context.bytes("memory_max")
        let config = File(
            path: self.configPath,
            text: try context.render(
                "prometheus.yml",
                [
                    "cluster": context.inventory.cluster,
                    "interval": PrometheusFlags.duration(milliseconds: interval),
                    // A scrape may take up to the interval, and no more than 10 s.
                    "timeout": PrometheusFlags.duration(milliseconds: min(interval, 10_000)),
                    "rules": self.rulesPath,
                    "alertmanagers": alertmanagers,
                    "has_alertmanagers": !alertmanagers.isEmpty,
                    "jobs": scrape.values,
                ]
            ),
            mode: 0o644,
            group: PrometheusProgram.user
        )
        let rules = File(
            path: self.rulesPath,
            text: try AlertRules.render(context.inventory, templates: context.templates),
            mode: 0o644,
            group: PrometheusProgram.user
        )
        let unit = SystemdUnit(
            name: "prometheus.service",
            content: try context.render(
                "prometheus.service",
                [
                    "version": program.version,
                    "binary": program.binary("prometheus"),
                    "config": self.configPath,
                    "data": self.dataDirectory,
                    "retention": PrometheusFlags.duration(milliseconds: context.milliseconds("retention")),
                    "retention_size": PrometheusFlags.size(context.bytes("retention_size")),
                    "listen": listen,
                    "external_url": "http://\(listen)/",
                    "memory_max": memory,
                    "go_memory_limit": memory / 10 * 9,
                ]
            )
        )
        let promtool = program.binary("promtool")
        let check = ShellScript(
            "prometheus-check",
            "exec \"$1\" check config \"$2\" 1>&2",
            [promtool, self.configPath]
        )
        let resources: [Resource.Kind] =
            installed.resources + PrometheusProgram.folders(data: self.dataDirectory) + [
                .file(rules),
                .file(config),
                // Runs when a file changed (or the check fails), before the reload: a broken file fails the
                // step with promtool's words, and the running Prometheus keeps what it had.
                .command(
                    Command(
                        "prometheus check config",
                        check.command,
                        unless: check.command,
                        refreshOn: [config.id, rules.id],
                        timeout: .seconds(60)
                    )
                ),
                .systemdUnit(unit),
                .service(
                    Service("prometheus", restartOn: [unit.id] + installed.changes, reloadOn: [config.id, rules.id])
                ),
            ]
        return (resources, scrape.notices)
    }
}
