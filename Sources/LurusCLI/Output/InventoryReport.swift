import Foundation
import LurusInventory

/// The resolved inventory as printed by `lurusctl inventory`: a table for people, JSON for machines.
///
/// Secret references (`env:NAME`, `file:PATH`, `cmd:...`) are printed; secret values never exist here.
struct InventoryReport: Encodable {
    struct SSH: Encodable {
        var user: String
        var port: Int
        var identityFile: String?
        var knownHosts: String?
        var configFile: String
        var proxyJump: String?
        var connectTimeout: String
    }

    struct Port: Encodable {
        var component: String
        var key: String
        var port: Int

        /// `5432 postgres`, or `9000 clickhouse native` when the component has several ports.
        var text: String {
            let name = self.key == "port" ? "" : " " + self.key.replacingOccurrences(of: "_port", with: "")
            return "\(self.port) \(self.component)\(name)"
        }
    }

    struct NodeEntry: Encodable {
        var name: String
        var address: String
        var privateAddress: String?
        var meshAddress: String?
        var ssh: SSH
        var components: [String]
        var implicitComponents: [String]
        var labels: [String: String]
        var taints: [String]
        var ports: [Port]
    }

    struct MeshEntry: Encodable {
        var kind: String
        var authKey: String?
        var tags: [String]?
        var interface: String?
    }

    struct BackupEntry: Encodable {
        var destination: String
        var bucket: String?
        var keepLast: Int
        var maxAge: String?
        var prefix: String
    }

    var cluster: String
    var file: String
    var runtime: String
    var mesh: MeshEntry
    var versions: [String: String]
    var secrets: [String: String]
    var nodes: [NodeEntry]
    var settings: [String: [String: String]]
    var backup: BackupEntry?
    var health: [String: String]

    init(_ inventory: Inventory) {
        self.cluster = inventory.cluster
        self.file = inventory.path
        self.runtime = inventory.runtime.rawValue
        switch inventory.mesh {
        case .none:
            self.mesh = MeshEntry(kind: "none")
        case .tailscale(let tailscale):
            self.mesh = MeshEntry(
                kind: "tailscale",
                authKey: tailscale.authKey.description,
                tags: tailscale.tags,
                interface: tailscale.interface
            )
        }
        self.versions = inventory.versions
        self.secrets = inventory.secrets.mapValues(\.description)
        self.nodes = inventory.nodes.map { node in
            let all = inventory.components(on: node)
            return NodeEntry(
                name: node.name,
                address: node.address.description,
                privateAddress: node.privateAddress?.description,
                meshAddress: inventory.meshAddress(of: node)?.description,
                ssh: SSH(node.ssh),
                components: node.components.map(\.name),
                implicitComponents: all.filter { !node.components.contains($0) }.map(\.name),
                labels: Dictionary(uniqueKeysWithValues: node.labels.map { ($0.key, $0.value) }),
                taints: node.taints.map(\.description),
                ports: inventory.ports(on: node).map { Port(component: $0.component.name, key: $0.key, port: $0.port) }
            )
        }
        var settings: [String: [String: String]] = [:]
        for component in Component.allCases where inventory.isPlaced(component) {
            let values = inventory.settings(for: component)
            let specs = component.settingSpecs
            if specs.isEmpty { continue }
            settings[component.name] = Dictionary(
                uniqueKeysWithValues: specs.map { ($0.key, values[$0.key]!.description) }
            )
        }
        self.settings = settings
        self.backup = inventory.backup.map { backup in
            switch backup.destination {
            case .minio:
                BackupEntry(
                    destination: "minio",
                    bucket: inventory.settings(for: .minio)["bucket"]?.description,
                    keepLast: backup.keepLast,
                    maxAge: backup.maxAge?.text,
                    prefix: backup.prefix
                )
            case .s3(let s3):
                BackupEntry(
                    destination: s3.endpoint,
                    bucket: s3.bucket,
                    keepLast: backup.keepLast,
                    maxAge: backup.maxAge?.text,
                    prefix: backup.prefix
                )
            }
        }
        let health = inventory.health
        var healthEntries = [
            "timeout": health.timeout.text, "disk_warning_percent": String(health.diskWarningPercent),
            "disk_critical_percent": String(health.diskCriticalPercent), "backup_max_age": health.backupMaxAge.text,
        ]
        if let path = health.textfilePath { healthEntries["textfile_path"] = path }
        if let ping = health.pingURL { healthEntries["ping_url"] = ping.description }
        self.health = healthEntries
    }

    /// The report for people: a summary line, a node table, then per-node details.
    var text: String {
        var lines: [String] = []
        let meshText = self.mesh.kind == "tailscale" ? "tailscale (\(self.mesh.interface ?? ""))" : "none"
        lines.append("cluster \(self.cluster)  inventory \(self.file)  mesh \(meshText)  runtime \(self.runtime)")
        lines.append("")
        var table = Columns("NODE", "ADDRESS", "MESH ADDRESS", "SSH", "COMPONENTS")
        for node in self.nodes {
            let via = node.ssh.proxyJump.map { " via \($0)" } ?? ""
            table.add(
                node.name,
                node.address,
                node.meshAddress ?? "(from \(self.mesh.kind))",
                "\(node.ssh.user)@\(node.address):\(node.ssh.port)\(via)",
                node.components.isEmpty ? "-" : node.components.joined(separator: " ")
            )
        }
        lines.append(table.rendered)
        // SSH settings shared by every node are printed once, after the nodes.
        let sharedSSH = Set(self.nodes.map { self.sshDetails($0.ssh) }).count == 1
        for node in self.nodes {
            lines.append("")
            lines.append(node.name)
            var details = Columns()
            details.add("  also runs", node.implicitComponents.joined(separator: " "))
            let labels = node.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            details.add("  labels", labels.isEmpty ? "-" : labels.joined(separator: " "))
            details.add("  taints", node.taints.isEmpty ? "-" : node.taints.joined(separator: " "))
            details.add("  ports", node.ports.isEmpty ? "-" : node.ports.map(\.text).joined(separator: ", "))
            if !sharedSSH {
                for pair in self.sshDetails(node.ssh) { details.add("  " + pair[0], pair[1]) }
            }
            lines.append(details.rendered)
        }
        if sharedSSH, let first = self.nodes.first {
            lines.append("")
            lines.append("ssh (every node)")
            var details = Columns()
            for pair in self.sshDetails(first.ssh) { details.add("  " + pair[0], pair[1]) }
            lines.append(details.rendered)
        }
        if !self.versions.isEmpty {
            lines.append("")
            lines.append(
                "versions  "
                    + self.versions.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            )
        }
        if let backup = self.backup {
            let age = backup.maxAge.map { ", at most \($0) old" } ?? ""
            lines.append(
                "backup    to \(backup.destination) bucket \(backup.bucket ?? "-")\(backup.prefix.isEmpty ? "" : " prefix \(backup.prefix)"), keep \(backup.keepLast)\(age)"
            )
        }
        return lines.joined(separator: "\n")
    }
}

extension InventoryReport {
    /// How a node is reached, beyond the address and user in the table.
    func sshDetails(_ ssh: SSH) -> [[String]] {
        [
            ["key", ssh.identityFile ?? "(ssh's default keys and agent)"],
            ["known_hosts", ssh.knownHosts ?? "(the user's)"],
            ["config", ssh.configFile],
            ["connect timeout", ssh.connectTimeout],
        ]
    }
}

extension InventoryReport.SSH {
    init(_ settings: SSHSettings) {
        self.user = settings.user
        self.port = settings.port
        self.identityFile = settings.identityFile
        self.knownHosts = settings.knownHostsFile
        switch settings.configFile {
        case .userDefault: self.configFile = "~/.ssh/config (the user's)"
        case .none: self.configFile = "none"
        case .path(let path): self.configFile = path
        }
        self.proxyJump = settings.proxyJump
        self.connectTimeout = settings.connectTimeout.text
    }
}
