/// The rules that span several parts of the inventory: K3s topology, what needs what, ports per node,
/// jump hosts, duplicate addresses. Each problem is reported where a person would fix it.
struct InventoryValidator {
    let sink: DiagnosticSink

    func validate(_ inventory: Inventory) {
        let nodes = inventory.nodes.filter { !$0.name.isEmpty }
        self.checkK3s(inventory, nodes)
        self.checkRequirements(inventory, nodes)
        self.checkUnplacedSettings(inventory)
        self.checkPorts(inventory, nodes)
        self.checkJumpHosts(nodes)
        self.checkAddresses(inventory, nodes)
        self.checkBackup(inventory)
    }

    // MARK: Locations

    private func location(_ path: InventoryKeyPath) -> SourceLocation {
        var path = path
        while !path.elements.isEmpty {
            if let location = self.sink.locations[path] { return location }
            path.elements.removeLast()
        }
        return SourceLocation(file: self.sink.file, line: 1, column: 1)
    }

    private func nodePath(_ node: Node) -> InventoryKeyPath { InventoryKeyPath([.key("nodes"), .key(node.name)]) }

    /// Where `component` is listed for `node`.
    private func placementPath(_ component: Component, on node: Node) -> InventoryKeyPath {
        let index = node.components.firstIndex(of: component) ?? 0
        return self.nodePath(node).appending("components").appending(index: index)
    }

    private func error(_ path: InventoryKeyPath, _ message: String, hint: String) {
        self.sink.error(self.location(path), path, message, hint: hint)
    }

    // MARK: Rules

    private func checkK3s(_ inventory: Inventory, _ nodes: [Node]) {
        let servers = nodes.filter { $0.components.contains(.k3sServer) }
        let agents = nodes.filter { $0.components.contains(.k3sAgent) }
        for node in nodes where node.components.contains(.k3sServer) && node.components.contains(.k3sAgent) {
            self.error(
                self.placementPath(.k3sAgent, on: node),
                "\(node.name) lists both k3s-server and k3s-agent",
                hint: "a K3s server also runs workloads; remove k3s-agent"
            )
        }
        if servers.count > 1 {
            let names = servers.map(\.name).joined(separator: ", ")
            for node in servers.dropFirst() {
                self.error(
                    self.placementPath(.k3sServer, on: node),
                    "k3s-server is placed on \(servers.count) nodes: \(names)",
                    hint: "exactly one K3s server is supported; keep it on \(servers[0].name) and use k3s-agent here"
                )
            }
        }
        let runtimeIsValid = !self.sink.diagnostics.contains { $0.keyPath == InventoryKeyPath([.key("runtime")]) }
        if servers.isEmpty && ((inventory.runtime == .k3s && runtimeIsValid) || !agents.isEmpty) {
            let why = agents.isEmpty ? "runtime k3s runs the services in K3s" : "k3s agents need a server to join"
            let path = agents.isEmpty ? InventoryKeyPath([.key("nodes")]) : self.placementPath(.k3sAgent, on: agents[0])
            let alternative = agents.isEmpty ? ", or set runtime: systemd" : ""
            self.error(
                path,
                "no node runs k3s-server: \(why)",
                hint: "add k3s-server to exactly one node's components\(alternative)"
            )
        }
        guard inventory.runtime == .k3s, !servers.isEmpty else { return }
        for node in nodes where !node.components.contains(.k3sServer) && !node.components.contains(.k3sAgent) {
            for service in node.components where service.isService {
                self.error(
                    self.placementPath(service, on: node),
                    "\(service.name) is placed on \(node.name), which is not in the K3s cluster that runtime k3s runs services in",
                    hint: "add k3s-agent to \(node.name), or place \(service.name) on a K3s node"
                )
            }
        }
    }

    private func checkRequirements(_ inventory: Inventory, _ nodes: [Node]) {
        for node in nodes {
            for component in node.components {
                for requirement in component.requirements where !inventory.isPlaced(requirement.component) {
                    self.error(
                        self.placementPath(component, on: node),
                        "\(component.name) needs \(requirement.component.name), which is placed on no node: \(requirement.reason)",
                        hint: "add \(requirement.component.name) to a node's components"
                    )
                }
            }
        }
    }

    private func checkUnplacedSettings(_ inventory: Inventory) {
        for component in inventory.settings.keys.sorted() where !inventory.isPlaced(component) {
            self.error(
                InventoryKeyPath([.key("components"), .key(component.name)]),
                "settings for \(component.name), which is placed on no node",
                hint: "add \(component.name) to a node's components, or remove this block"
            )
        }
    }

    private func checkPorts(_ inventory: Inventory, _ nodes: [Node]) {
        for node in nodes {
            var claimed: [Int: (component: Component, key: String)] = [:]
            for entry in inventory.ports(on: node) {
                guard let first = claimed[entry.port] else {
                    claimed[entry.port] = (entry.component, entry.key)
                    continue
                }
                // Point at the override if one was written, else at the later component's placement.
                let override = InventoryKeyPath([.key("components"), .key(entry.component.name), .key(entry.key)])
                let path =
                    self.sink.locations[override] != nil
                    ? override
                    : (node.components.contains(entry.component)
                        ? self.placementPath(entry.component, on: node) : self.nodePath(node))
                self.error(
                    path,
                    "port \(entry.port) on \(node.name) is claimed by both \(first.component.name) (\(first.key)) and \(entry.component.name) (\(entry.key))",
                    hint: "move one, e.g. set components.\(entry.component.name).\(entry.key) to a free port"
                )
            }
        }
    }

    private func checkJumpHosts(_ nodes: [Node]) {
        let names = nodes.map(\.name)
        var reportedCycles: [Set<String>] = []
        for node in nodes {
            guard let jump = node.ssh.proxyJump else { continue }
            let path = self.jumpPath(of: node)
            guard names.contains(jump) else {
                let suggestion = Suggestion.closest(to: jump, among: names).map { "did you mean '\($0)'? " } ?? ""
                self.error(
                    path,
                    "proxy_jump names '\(jump)', which is not a node",
                    hint: "\(suggestion)name a node of this inventory"
                )
                continue
            }
            // Follow the chain of jumps from this node; coming back to it is a cycle.
            var chain = [node.name]
            var current = jump
            while let next = nodes.first(where: { $0.name == current }) {
                chain.append(current)
                if current == node.name {
                    let members = Set(chain)
                    if reportedCycles.contains(members) { break }
                    reportedCycles.append(members)
                    self.error(
                        path,
                        "proxy_jump forms a cycle: \(chain.joined(separator: " -> "))",
                        hint:
                            "jump hosts must end at a node lurusctl reaches directly; remove proxy_jump on one of them"
                    )
                    break
                }
                guard let following = next.ssh.proxyJump, !chain.dropFirst().contains(following) else { break }
                current = following
            }
        }
    }

    /// Where a node's proxy_jump is written: its own ssh block, or the inventory's defaults.
    private func jumpPath(of node: Node) -> InventoryKeyPath {
        let own = self.nodePath(node).appending("ssh").appending("proxy_jump")
        return self.sink.locations[own] != nil ? own : InventoryKeyPath([.key("ssh"), .key("proxy_jump")])
    }

    private func checkAddresses(_ inventory: Inventory, _ nodes: [Node]) {
        var seen: [String: Node] = [:]
        for node in nodes where !node.address.description.isEmpty {
            let key = "\(node.address.description.lowercased())|\(node.ssh.port)|\(node.ssh.proxyJump ?? "")"
            if let first = seen[key] {
                self.error(
                    self.nodePath(node).appending("address"),
                    "\(node.name) has the same address, \(node.address), and SSH port as \(first.name)",
                    hint: "each node needs its own address; a copy-paste slip?"
                )
            } else {
                seen[key] = node
            }
            if inventory.mesh == .none, node.privateAddress == nil, !node.address.isPrivate, nodes.count > 1 {
                self.sink.warning(
                    self.location(self.nodePath(node).appending("address")),
                    self.nodePath(node).appending("address"),
                    "with mesh: none, internal traffic (PostgreSQL, Redis, ClickHouse, NATS) to \(node.name) uses this public address",
                    hint: "set private_address, or use a tailscale mesh"
                )
            }
        }
    }

    private func checkBackup(_ inventory: Inventory) {
        guard let backup = inventory.backup, backup.destination == .minio, !inventory.isPlaced(.minio) else { return }
        self.error(
            InventoryKeyPath([.key("backup"), .key("destination")]),
            "backups go to minio, which is placed on no node",
            hint: "add minio to a node's components, or give an S3 destination"
        )
    }
}
