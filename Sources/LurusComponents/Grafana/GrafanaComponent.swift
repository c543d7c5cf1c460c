import LurusEngine
import LurusInventory

/// `grafana`: Grafana from Grafana's apt repository (pinned by `versions.grafana`) on the mesh address
/// only, with the cluster's Prometheus as its one provisioned datasource (fixed uid `lurus-prometheus`, so
/// no dashboard carries a `${DS_…}` placeholder) and lurusctl's dashboards provisioned from files
/// (`GrafanaDashboards`): editable in the UI only as copies, and back as shipped on the next up.
///
/// Settings are `GF_*` variables in a systemd drop-in over the package's unit; the admin password is the
/// generated secret `grafana/admin`, read by Grafana from a 0640 file (`GF_SECURITY_ADMIN_PASSWORD__FILE`).
/// Sign-up, anonymous access, usage reporting and update checks are off.
enum GrafanaComponent: ComponentDefinition {
    static let secret = "grafana/admin"
    static let passwordPath = "/etc/grafana/lurus-admin-password"
    static let provisioning = "/etc/grafana/provisioning"
    static let dashboards = "/var/lib/grafana/dashboards/lurus"
    static let datasourceUID = "lurus-prometheus"

    static func secretNames(inventory: Inventory, node: Node) -> [SecretNeed] { [SecretNeed(self.secret)] }

    static func resources(_ context: ComponentContext) throws -> (resources: [Resource.Kind], notices: [String]) {
        let password = try context.secret(self.secret)
        let version = try context.version()
        guard let prometheus = context.inventory.nodes(running: .prometheus).first else {
            throw context.error(
                "grafana is placed but no node runs prometheus, its only datasource",
                hint: "place prometheus on a node (Monitor) in \(context.inventory.path)"
            )
        }
        let prometheusURL =
            "http://"
            + MeshAddresses.hostPort(
                try context.meshAddress(of: prometheus),
                context.inventory.settings(for: .prometheus).port("port") ?? 9090
            )
        var interval = "15s"
        if case .duration(let written) = context.inventory.settings(for: .prometheus)["scrape_interval"] {
            interval = PrometheusFlags.duration(written)
        }
        let passwordFile = File(
            path: self.passwordPath,
            content: password.bytes,
            mode: 0o640,
            group: "grafana",
            sensitive: true
        )
        let dropIn = SystemdUnit(
            name: "grafana-server.service.d/lurus.conf",
            content: try context.render(
                "grafana-server.conf",
                [
                    "address": try context.meshAddress(),
                    "port": context.port("port"),
                    "password_file": self.passwordPath,
                    "provisioning": self.provisioning,
                ]
            )
        )
        let datasource = File(
            path: "\(self.provisioning)/datasources/lurus.yaml",
            text: try context.render(
                "datasource.yaml",
                ["uid": self.datasourceUID, "url": prometheusURL, "interval": interval]
            ),
            mode: 0o640,
            group: "grafana"
        )
        let provider = File(
            path: "\(self.provisioning)/dashboards/lurus.yaml",
            text: try context.render("dashboards.yaml", ["path": self.dashboards]),
            mode: 0o640,
            group: "grafana"
        )
        var resources: [Resource.Kind] = [
            .aptRepository(
                AptRepository(
                    name: "grafana",
                    uris: "https://apt.grafana.com",
                    suites: "stable",
                    components: "main",
                    signingKey: try context.render("grafana.asc", [:])
                )
            ),
            .package(Package("grafana", version: version)),
            .file(passwordFile),
            .directory(Directory(path: "/etc/systemd/system/grafana-server.service.d")),
            .systemdUnit(dropIn),
            .directory(Directory(path: "\(self.provisioning)/datasources", mode: 0o750, group: "grafana")),
            .directory(Directory(path: "\(self.provisioning)/dashboards", mode: 0o750, group: "grafana")),
            .file(datasource),
            .file(provider),
            .directory(Directory(path: "/var/lib/grafana/dashboards", owner: "grafana", group: "grafana")),
            .directory(Directory(path: self.dashboards, owner: "grafana", group: "grafana")),
        ]
        // Grafana reads changed dashboard files by itself (the provider's update interval): no restart.
        for dashboard in GrafanaDashboards.all {
            resources.append(
                .file(
                    File(
                        path: "\(self.dashboards)/\(dashboard).json",
                        text: try GrafanaDashboards.render(dashboard, templates: context.templates),
                        mode: 0o644
                    )
                )
            )
        }
        resources.append(
            .service(
                Service(
                    "grafana-server",
                    restartOn: [dropIn.id, passwordFile.id, datasource.id, provider.id]
                )
            )
        )
        return (resources, [])
    }
}
