import LurusComponents
import LurusEngine
import LurusInventory

/// What a node needs before a release of a service can run on it under the systemd runtime, as engine
/// resources (so `plan` shows it with diffs and `up` applies it idempotently): the service's user, its
/// folders, its unit template, each slot's settings and its secret files (0600, owned by the service's
/// user), and the local proxy (haproxy) with the node's services behind it. Releases themselves are
/// shipped and switched by `SystemdDeployer`. Pure.
public enum SystemdHostUnits {
    /// The unit name of a node's local proxy.
    public static let proxyUnit = "service-proxy"

    /// The secrets the services read, to resolve before planning: their secret files' (the generated ones
    /// shared with the components that write them, like the NATS password) and those whose SHA-256 they
    /// are given (the admin token), on either runtime.
    public static func secretNeeds(of services: [ResolvedService], inventory: Inventory) -> [SecretNeed] {
        var needs: [SecretNeed] = []
        let names = services.flatMap { $0.secretFiles.map(\.secret) } + services.flatMap(\.digestedSecrets)
        for name in names where !needs.contains(where: { $0.name == name }) {
            needs.append(SecretNeed(name))
        }
        return needs
    }

    /// The units for `node`: one per service placed there, then the proxy; empty when none is placed.
    public static func units(
        on node: Node,
        services: [ResolvedService],
        inventory: Inventory,
        secrets: [String: Secret],
        templates: TemplateLibrary
    ) throws -> [WorkUnit] {
        let here = services.filter { $0.nodes.contains(node) }
        guard !here.isEmpty else { return [] }
        var units: [WorkUnit] = []
        for service in here {
            units.append(
                WorkUnit(
                    id: UnitID(node: node.name, component: service.name),
                    resources: try self.resources(of: service, on: node, secrets: secrets, templates: templates)
                        .map { Resource($0, component: service.name) },
                    after: [UnitID(node: node.name, component: Component.base.name)]
                )
            )
        }
        let proxied = here.map { service in
            SystemdFiles.ProxiedService(
                name: service.name,
                host: self.listenAddress(of: service, on: node, inventory: inventory),
                port: service.port,
                healthPath: service.definition.healthPath
            )
        }
        let configuration = File(
            path: SystemdFiles.proxyConfiguration,
            text: try SystemdFiles.proxyConfiguration(proxied, templates: templates)
        )
        let proxy: [Resource.Kind] = [
            .package(Package("haproxy")),
            // The admin socket is reached with socat; the health gate asks with curl.
            .package(Package("socat")),
            .package(Package("curl")),
            .file(configuration),
            .service(Service("haproxy", reloadOn: [configuration.id])),
        ]
        units.append(
            WorkUnit(
                id: UnitID(node: node.name, component: self.proxyUnit),
                resources: proxy.map { Resource($0, component: self.proxyUnit) },
                after: [UnitID(node: node.name, component: Component.base.name)]
            )
        )
        return units
    }

    /// Where the proxy takes a service's clients: every address for the gateway (clients come from outside),
    /// the node's mesh address for the others.
    static func listenAddress(of service: ResolvedService, on node: Node, inventory: Inventory) -> String {
        if service.definition.exposure == .ingress { return "0.0.0.0" }
        return inventory.meshAddress(of: node).map { "\($0)" } ?? "0.0.0.0"
    }

    static func resources(
        of service: ResolvedService,
        on node: Node,
        secrets: [String: Secret],
        templates: TemplateLibrary
    ) throws -> [Resource.Kind] {
        let layout = SystemdLayout(service: service.name)
        let user = SystemdFiles.user(of: layout)
        let unit = SystemdUnit(
            name: layout.unitTemplate,
            content: try SystemdFiles.unit(
                layout,
                executable: service.definition.executable,
                drainSeconds: service.definition.drainSeconds,
                templates: templates
            )
        )
        var kinds: [Resource.Kind] = [
            .group(Group(user)),
            .user(User(user, group: user)),
            .directory(Directory(path: "/opt/lurus")),
            .directory(Directory(path: layout.root)),
            .directory(Directory(path: layout.releases)),
            .directory(Directory(path: layout.deployments)),
            .directory(Directory(path: "\(layout.root)/slots")),
            .directory(Directory(path: "/etc/lurus")),
            .directory(Directory(path: layout.configuration)),
            .directory(Directory(path: service.secretDirectory, mode: 0o700, owner: user, group: user)),
        ]
        for slot in SystemdLayout.Slot.allCases {
            kinds.append(
                .file(
                    File(
                        path: layout.environment(of: slot),
                        text: SystemdFiles.slotEnvironment(layout, slot: slot, servicePort: service.port)
                    )
                )
            )
        }
        for file in service.secretFiles {
            guard let secret = secrets[file.secret] else {
                throw ReleaseError(
                    "\(service.name) on \(node.name): the secret \(file.secret) was not resolved",
                    hint: "this is a bug in lurusctl; please report it"
                )
            }
            kinds.append(
                .file(
                    File(path: file.path, content: secret.bytes, mode: 0o600, owner: user, group: user, sensitive: true)
                )
            )
        }
        kinds.append(.systemdUnit(unit))
        return kinds
    }
}
