import LurusInventory

extension ServiceCatalog {
    /// The Kubernetes namespace the services run in on the K3s runtime.
    public static let kubernetesNamespace = "lurus"

    /// The bundled services that run once placed: those the catalog can ship. A placed service outside it
    /// would never be started, so nothing would be pointed at it (tests narrow it to check that).
    public static var shipped: Set<Component> { Set(self.definitions.map(\.component)) }

    /// Every service of the catalog that `inventory` places, resolved, in catalog order.
    public static func resolve(
        in inventory: Inventory,
        runtime: ServiceRuntime? = nil,
        shipped: Set<Component> = Self.shipped
    ) throws(ServiceCatalogError) -> [ResolvedService] {
        var resolved: [ResolvedService] = []
        for definition in self.definitions {
            if let service = try self.resolve(definition, in: inventory, runtime: runtime, shipped: shipped) {
                resolved.append(service)
            }
        }
        return resolved
    }

    /// `definition` as `inventory` places it, or nil when no node runs it. Pure.
    ///
    /// Other components are addressed by the name of the first node that runs them: nodes know each
    /// other's names from the `/etc/hosts` block `base` writes, and pods from K3s's CoreDNS `NodeHosts`
    /// (every K3s node's name with its `node-ip`, the mesh address). Another service is addressed on K3s
    /// by its Service's cluster DNS name, so requests spread over its replicas. `runtime` defaults to
    /// the inventory's.
    public static func resolve(
        _ definition: ServiceDefinition,
        in inventory: Inventory,
        runtime: ServiceRuntime? = nil,
        shipped: Set<Component> = Self.shipped
    ) throws(ServiceCatalogError) -> ResolvedService? {
        let nodes = inventory.nodes(running: definition.component)
        guard !nodes.isEmpty else { return nil }
        let runtime = runtime ?? inventory.runtime
        let settings = inventory.settings(for: definition.component)
        guard let port = settings.port(definition.portKey) else {
            throw ServiceCatalogError(
                service: definition.name,
                "no port under the settings key \(definition.portKey)",
                hint: "this is a bug in lurusctl's service catalog; please report it"
            )
        }
        let secretDirectory = "/etc/lurus/\(definition.name)/secrets"
        // A component runs when it is placed, and a bundled service only once the catalog ships it.
        let runs = { (component: Component) in
            inventory.isPlaced(component) && (!component.isService || shipped.contains(component))
        }
        let named = definition.secretFiles.filter { file in
            (file.owner.map(runs) ?? true) && (!file.optional || inventory.secrets[file.secret] != nil)
        }
        let family = definition.secretFamilies.flatMap { family in
            inventory.secrets.keys.filter { $0.hasPrefix(family.prefix) && $0.count > family.prefix.count }.sorted()
                .map { name in
                    SecretFile(
                        fileName: family.fileNamePrefix
                            + String(name.dropFirst(family.prefix.count).map { $0 == "/" ? "-" : $0 }),
                        secret: name,
                        generated: false
                    )
                }
        }
        let secretFiles = (named + family).map { file in
            ResolvedSecretFile(
                fileName: file.fileName,
                secret: file.secret,
                path: "\(secretDirectory)/\(file.fileName)",
                generated: file.generated
            )
        }
        var environment: [EnvironmentEntry] = []
        var peers: [Peer] = []
        var digestedSecrets: [String] = []
        for variable in definition.environment {
            switch variable.value {
            case .literal(let text):
                environment.append(EnvironmentEntry(variable.name, text))
            case .port:
                environment.append(EnvironmentEntry(variable.name, String(port)))
            case .drainSeconds:
                environment.append(EnvironmentEntry(variable.name, String(definition.drainSeconds)))
            case .setting(let key):
                guard let value = settings[key] else {
                    throw ServiceCatalogError(
                        service: definition.name,
                        "\(variable.name) reads the setting \(key), which \(definition.name) does not have",
                        hint: "this is a bug in lurusctl's service catalog; please report it"
                    )
                }
                environment.append(EnvironmentEntry(variable.name, value.description))
            case .componentSetting(let component, let key):
                guard let value = inventory.settings(for: component)[key] else {
                    throw ServiceCatalogError(
                        service: definition.name,
                        "\(variable.name) reads the setting \(key) of \(component.name), which has no such setting",
                        hint: "this is a bug in lurusctl's service catalog; please report it"
                    )
                }
                environment.append(EnvironmentEntry(variable.name, value.description))
            case .secretSHA256(let secret, let owner):
                if let owner, !runs(owner) { continue }
                environment.append(EnvironmentEntry(variable.name, sha256Of: secret))
                if !digestedSecrets.contains(secret) { digestedSecrets.append(secret) }
            case .whenPlaced(let component, let text):
                if inventory.isPlaced(component) { environment.append(EnvironmentEntry(variable.name, text)) }
            case .secretFile(let fileName):
                guard let file = secretFiles.first(where: { $0.fileName == fileName }) else {
                    if definition.secretFiles.contains(where: { $0.fileName == fileName }) { continue }
                    throw ServiceCatalogError(
                        service: definition.name,
                        "\(variable.name) names the secret file \(fileName), which the catalog does not list",
                        hint: "this is a bug in lurusctl's service catalog; please report it"
                    )
                }
                environment.append(EnvironmentEntry(variable.name, file.path))
            case .address(let component, _, let portKey, _), .host(let component, let portKey),
                .peerPort(let component, let portKey):
                guard
                    let peer = try self.peer(
                        component,
                        portKey: portKey,
                        of: definition,
                        in: inventory,
                        runtime: runtime,
                        shipped: shipped
                    )
                else { continue }
                let value =
                    switch variable.value {
                    case .address(_, let scheme, _, let path): "\(scheme)://\(peer.host):\(peer.port)\(path)"
                    case .host: peer.host
                    default: String(peer.port)
                    }
                environment.append(EnvironmentEntry(variable.name, value))
                if !peers.contains(where: { $0.component == component }) { peers.append(peer) }
            }
        }
        var replicas = 1
        if case .integer(let count) = settings["replicas"] { replicas = count }
        return ResolvedService(
            definition: definition,
            nodes: nodes,
            port: port,
            replicas: replicas,
            environment: environment,
            secretDirectory: secretDirectory,
            secretFiles: secretFiles,
            peers: peers,
            digestedSecrets: digestedSecrets
        )
    }

    /// `component` as `service` reaches it, or nil when it is placed nowhere and `service` can do without.
    static func peer(
        _ component: Component,
        portKey: String,
        of service: ServiceDefinition,
        in inventory: Inventory,
        runtime: ServiceRuntime,
        shipped: Set<Component>
    ) throws(ServiceCatalogError) -> Peer? {
        let nodes = inventory.nodes(running: component)
        // A bundled service outside `shipped` is placed but never runs: nothing to address.
        let runs = !component.isService || shipped.contains(component)
        guard let first = nodes.first, runs else {
            if let requirement = service.component.requirements.first(where: { $0.component == component }) {
                throw ServiceCatalogError(
                    service: service.name,
                    "\(component.name) is placed on no node, and \(requirement.reason)",
                    hint: "add \(component.name) to a node's components in \(inventory.path)"
                )
            }
            return nil
        }
        guard let port = inventory.settings(for: component).port(portKey) else {
            throw ServiceCatalogError(
                service: service.name,
                "\(component.name) has no port under the settings key \(portKey)",
                hint: "this is a bug in lurusctl's service catalog; please report it"
            )
        }
        if component.isService && runtime == .k3s {
            let host = "\(component.name).\(self.kubernetesNamespace).svc.cluster.local"
            return Peer(component: component, host: host, port: port, location: .service)
        }
        if runtime == .k3s && !inventory.components(on: first).contains(where: { $0 == .k3sServer || $0 == .k3sAgent })
        {
            throw ServiceCatalogError(
                service: service.name,
                "\(component.name) runs on \(first.name), which is not a K3s node, so pods cannot resolve its name",
                hint: "place \(component.name) on a node with k3s-server or k3s-agent in \(inventory.path)"
            )
        }
        let location: Peer.Location = component.isService ? .service : .nodes(nodes)
        return Peer(component: component, host: first.name, port: port, location: location)
    }

    /// Secrets the placed services read that lurusctl may not generate and the inventory does not name:
    /// each as an error saying what to add. Empty when a deploy can resolve every secret.
    public static func unnamedSecrets(
        of services: [ResolvedService],
        in inventory: Inventory
    ) -> [ServiceCatalogError] {
        services.flatMap { service in
            var problems = service.secretFiles.filter { !$0.generated && inventory.secrets[$0.secret] == nil }.map {
                file in
                ServiceCatalogError(
                    service: service.name,
                    "the secret \(file.secret) (read from \(file.path)) has a format, so lurusctl cannot generate it",
                    hint: "add secrets.\(file.secret) to \(inventory.path), e.g. file:~/lurus/\(file.fileName)"
                )
            }
            for choice in service.definition.needsOneOf
            where !service.environment.contains(where: { choice.variables.contains($0.name) }) {
                problems.append(
                    ServiceCatalogError(
                        service: service.name,
                        "none of \(choice.variables.joined(separator: ", ")) can be set: \(choice.reason)",
                        hint: choice.hint.replacingInventoryPath(with: inventory.path)
                    )
                )
            }
            return problems
        }
    }
}

extension String {
    /// The hint with `INVENTORY` replaced by the inventory's path.
    fileprivate func replacingInventoryPath(with path: String) -> String {
        self.split(separator: "INVENTORY", omittingEmptySubsequences: false).joined(separator: path)
    }
}
