/// Builds an `Inventory` from a composed YAML document, reporting every problem of shape and value.
///
/// Values with problems are replaced by placeholders so reading goes on; the loader never hands out an
/// inventory that had errors. Cross-field rules (K3s servers, ports, jump hosts) are `InventoryValidator`'s.
struct InventoryDecoder {
    let sink: DiagnosticSink
    /// Resolves relative paths (identity files, known_hosts) against the inventory's folder.
    let paths: PathResolver

    func decode(_ root: YAMLValue) -> Inventory? {
        guard
            let document = MappingReader(
                root,
                sink: self.sink,
                expected: "the inventory to be a mapping of sections (cluster, mesh, nodes, ...)"
            )
        else {
            return nil
        }
        let cluster = self.clusterName(document)
        let runtime =
            document.choice("runtime", among: ServiceRuntime.allCases.map(\.rawValue))
            .flatMap(ServiceRuntime.init(rawValue:)) ?? .k3s
        let sshDefaults =
            document.mapping("ssh", expected: "a mapping of SSH settings")
            .map { self.sshOverrides($0).applied(to: SSHSettings()) } ?? SSHSettings()
        let mesh = self.mesh(document)
        let versions = self.versions(document)
        let secrets = self.secrets(document)
        let nodes = self.nodes(document, sshDefaults: sshDefaults)
        let settings = self.componentSettings(document)
        let backup = document.mapping("backup", expected: "a mapping of backup settings").flatMap {
            self.backup($0, cluster: cluster)
        }
        let health =
            document.mapping("health", expected: "a mapping of health settings").map(self.health) ?? HealthSettings()
        document.reportUnknownKeys(expected: Inventory.keys, context: "the inventory")
        return Inventory(
            cluster: cluster,
            path: self.sink.file,
            runtime: runtime,
            ssh: sshDefaults,
            mesh: mesh,
            versions: versions,
            secrets: secrets,
            nodes: nodes,
            settings: settings,
            backup: backup,
            health: health
        )
    }

    // MARK: Sections

    private func clusterName(_ document: MappingReader) -> String {
        let hint = "name the cluster, e.g. cluster: lurus"
        guard let name = document.string("cluster", required: hint) else { return "" }
        guard DNSLabel.isValid(name, allowUppercase: false) else {
            document.reject(
                "cluster",
                "'\(name)' is not a valid cluster name",
                hint: "use 1-63 lowercase letters, digits and '-', starting and ending with a letter or digit"
            )
            return ""
        }
        return name
    }

    private func mesh(_ document: MappingReader) -> Mesh {
        let hint = "write 'mesh: none' for a private network, or a tailscale block as doc/inventory.md shows"
        guard let value = document.value("mesh"), !value.isNull else {
            document.missing("mesh", hint: hint)
            return .none
        }
        if let word = value.scalarText {
            switch word {
            case "none":
                return .none
            case "tailscale":
                self.sink.error(
                    value.location,
                    value.path,
                    "tailscale needs an auth key",
                    hint: "write a block: mesh: {kind: tailscale, auth_key: env:TAILSCALE_AUTH_KEY}"
                )
            default:
                self.sink.error(
                    value.location,
                    value.path,
                    "unknown mesh '\(word)'",
                    hint: "\(Suggestion.phrase(for: word, among: ["none", "tailscale"]))use none or tailscale"
                )
            }
            return .none
        }
        guard let block = MappingReader(value, sink: self.sink, expected: "'none' or a mapping with kind: tailscale")
        else { return .none }
        defer { block.reportUnknownKeys(expected: TailscaleSettings.keys, context: "mesh") }
        guard let kind = block.choice("kind", among: ["tailscale", "none"]) else {
            if block.value("kind") == nil { block.missing("kind", hint: "write kind: tailscale") }
            return .none
        }
        if kind == "none" { return .none }
        let authKey = block.secret("auth_key", required: "Tailscale needs an auth key, e.g. env:TAILSCALE_AUTH_KEY")
        var tags: [String] = []
        for (tag, item) in block.list("tags") ?? [] {
            let name = tag.hasPrefix("tag:") ? String(tag.dropFirst(4)) : ""
            guard DNSLabel.isValid(name) else {
                self.sink.error(
                    item.location,
                    item.path,
                    "'\(tag)' is not a Tailscale ACL tag",
                    hint: "write tag:NAME, e.g. tag:lurus"
                )
                continue
            }
            tags.append(tag)
        }
        let interface = block.string("interface") ?? "tailscale0"
        return .tailscale(
            TailscaleSettings(authKey: authKey ?? .environment(""), tags: tags, interface: interface)
        )
    }

    private func versions(_ document: MappingReader) -> [String: String] {
        guard let block = document.mapping("versions", expected: "a mapping of component to version") else {
            return [:]
        }
        var versions: [String: String] = [:]
        for key in Component.versionKeys {
            guard let version = block.string(key) else { continue }
            if version.isEmpty || version.contains(where: { $0 == " " || $0 == "\t" }) || version.hasPrefix("-") {
                block.reject(
                    key,
                    "'\(version)' is not a version",
                    hint: "write it as the project publishes it, e.g. v1.31.4+k3s1"
                )
                continue
            }
            versions[key] = version
        }
        block.reportUnknownKeys(expected: Component.versionKeys, context: "versions")
        return versions
    }

    private func secrets(_ document: MappingReader) -> [String: SecretReference] {
        guard let block = document.mapping("secrets", expected: "a mapping of secret name to reference") else {
            return [:]
        }
        var secrets: [String: SecretReference] = [:]
        for entry in block.entries {
            let validName =
                !entry.key.isEmpty
                && entry.key.unicodeScalars.allSatisfy {
                    ("a"..."z").contains($0) || ("0"..."9").contains($0) || "_-./".unicodeScalars.contains($0)
                }
            if !validName {
                self.sink.error(
                    entry.keyLocation,
                    entry.value.path,
                    "'\(entry.key)' is not a secret name",
                    hint: "use lowercase letters, digits, '_', '-', '.' and '/'"
                )
            }
            if let reference = block.secret(entry.key), validName { secrets[entry.key] = reference }
        }
        return secrets
    }

    // MARK: Nodes

    private func nodes(_ document: MappingReader, sshDefaults: SSHSettings) -> [Node] {
        let hint = "list the machines under nodes:, each with an address"
        guard let value = document.value("nodes"), !value.isNull else {
            document.missing("nodes", hint: hint)
            return []
        }
        guard let block = MappingReader(value, sink: self.sink, expected: "a mapping of node name to node") else {
            return []
        }
        if block.entries.isEmpty { self.sink.error(value.location, value.path, "no nodes", hint: hint) }
        var nodes: [Node] = []
        for entry in block.entries {
            _ = block.value(entry.key)
            if !DNSLabel.isValid(entry.key, allowUppercase: false) {
                self.sink.error(
                    entry.keyLocation,
                    entry.value.path,
                    "'\(entry.key)' is not a valid node name",
                    hint: "node names become hostnames: 1-63 lowercase letters, digits and '-'"
                )
            }
            guard
                let reader = MappingReader(entry.value, sink: self.sink, expected: "a mapping with the node's address")
            else { continue }
            nodes.append(self.node(named: entry.key, reader, sshDefaults: sshDefaults))
        }
        return nodes
    }

    private func node(named name: String, _ reader: MappingReader, sshDefaults: SSHSettings) -> Node {
        defer { reader.reportUnknownKeys(expected: Node.keys, context: "a node") }
        let address = self.address(reader, "address", required: "every node needs the address lurusctl connects to")
        let privateAddress = self.address(reader, "private_address", required: nil)
        if let privateAddress, !privateAddress.isIPLiteral, let value = reader.value("private_address") {
            self.sink.error(
                value.location,
                value.path,
                "private_address must be an IP address, not a name",
                hint: "write the node's address on the private network, e.g. 10.0.0.12"
            )
        }
        let ssh =
            reader.mapping("ssh", expected: "a mapping of SSH settings")
            .map { self.sshOverrides($0).applied(to: sshDefaults) } ?? sshDefaults
        return Node(
            name: name,
            address: address ?? .hostname(""),
            privateAddress: privateAddress,
            ssh: ssh,
            components: self.components(reader),
            labels: self.labels(reader),
            taints: self.taints(reader)
        )
    }

    private func address(_ reader: MappingReader, _ key: String, required hint: String?) -> NodeAddress? {
        reader.parsed(key, required: hint, NodeAddress.parse)
    }

    private func components(_ reader: MappingReader) -> [Component] {
        var components: [Component] = []
        let placeable = Component.allCases.filter { !$0.isImplicit }.map(\.rawValue)
        for (name, item) in reader.list("components") ?? [] {
            guard let component = Component(rawValue: name) else {
                let suggestion = Suggestion.closest(to: name, among: placeable)
                self.sink.error(
                    item.location,
                    item.path,
                    "unknown component '\(name)'",
                    hint: suggestion.map { "did you mean '\($0)'?" }
                        ?? "components are \(placeable.joined(separator: ", "))"
                )
                continue
            }
            if component.isImplicit {
                self.sink.error(
                    item.location,
                    item.path,
                    "\(name) is placed on every node that needs it by lurusctl itself",
                    hint: "remove it from this list"
                )
                continue
            }
            if components.contains(component) {
                self.sink.error(item.location, item.path, "\(name) is listed twice for this node", hint: "remove one")
                continue
            }
            components.append(component)
        }
        return components
    }

    private func labels(_ reader: MappingReader) -> [Node.Label] {
        guard let block = reader.mapping("labels", expected: "a mapping of label key to value") else { return [] }
        var labels: [Node.Label] = []
        for entry in block.entries {
            guard let value = block.string(entry.key) ?? (entry.value.isNull ? "" : nil) else { continue }
            if let problem = LabelSyntax.keyProblem(entry.key) {
                self.sink.error(entry.keyLocation, entry.value.path, problem.message, hint: problem.hint)
                continue
            }
            if let problem = LabelSyntax.valueProblem(value) {
                self.sink.error(entry.value.location, entry.value.path, problem.message, hint: problem.hint)
                continue
            }
            labels.append(Node.Label(key: entry.key, value: value))
        }
        return labels
    }

    private func taints(_ reader: MappingReader) -> [Taint] {
        var taints: [Taint] = []
        for (text, item) in reader.list("taints") ?? [] {
            switch Taint.parse(text) {
            case .success(let taint): taints.append(taint)
            case .failure(let problem): self.sink.error(item.location, item.path, problem.message, hint: problem.hint)
            }
        }
        return taints
    }

    // MARK: SSH

    /// SSH keys written in one `ssh:` block; unset ones keep the value they override.
    struct SSHOverrides {
        var user: String?
        var port: Int?
        var identityFile: String?
        var knownHostsFile: String?
        var configFile: SSHSettings.ConfigFile?
        var proxyJump: String?
        var connectTimeout: InventoryDuration?

        func applied(to base: SSHSettings) -> SSHSettings {
            var settings = base
            if let user { settings.user = user }
            if let port { settings.port = port }
            if let identityFile { settings.identityFile = identityFile }
            if let knownHostsFile { settings.knownHostsFile = knownHostsFile }
            if let configFile { settings.configFile = configFile }
            if let proxyJump { settings.proxyJump = proxyJump }
            if let connectTimeout { settings.connectTimeout = connectTimeout }
            return settings
        }
    }

    private func sshOverrides(_ block: MappingReader) -> SSHOverrides {
        defer { block.reportUnknownKeys(expected: SSHSettings.keys, context: "ssh") }
        var overrides = SSHOverrides()
        if let user = block.string("user") {
            if user.isEmpty || user.hasPrefix("-") || user.contains(where: { $0.isWhitespace || $0 == "@" }) {
                block.reject(
                    "user",
                    "'\(user)' is not a user name",
                    hint: "write the login name, e.g. root or deploy"
                )
            } else {
                overrides.user = user
            }
        }
        overrides.port = block.integer("port", in: 1...65535, what: "an SSH port")
        overrides.identityFile = self.path(block, "identity_file")
        overrides.knownHostsFile = self.path(block, "known_hosts")
        if let config = block.string("config_file") {
            overrides.configFile =
                config == "none" ? SSHSettings.ConfigFile.none : self.path(block, "config_file").map { .path($0) }
        }
        overrides.proxyJump = block.string("proxy_jump")
        if let timeout = block.duration("connect_timeout") {
            if timeout.milliseconds < 1_000 || timeout.milliseconds > 300_000 {
                block.reject(
                    "connect_timeout",
                    "\(timeout) is outside 1s to 5m",
                    hint: "10s suits most networks"
                )
            } else {
                overrides.connectTimeout = timeout
            }
        }
        return overrides
    }

    private func path(_ block: MappingReader, _ key: String) -> String? {
        guard let text = block.string(key) else { return nil }
        guard !text.isEmpty, !text.hasPrefix("-"), !text.contains("\n") else {
            block.reject(
                key,
                "'\(text)' is not a usable path",
                hint: "write an absolute path, ~/..., or a path relative to the inventory file"
            )
            return nil
        }
        return self.paths.resolve(text)
    }

    // MARK: Component settings

    private func componentSettings(_ document: MappingReader) -> [Component: ComponentSettings] {
        guard let block = document.mapping("components", expected: "a mapping of component name to settings") else {
            return [:]
        }
        var all: [Component: ComponentSettings] = [:]
        let names = Component.allCases.filter { !$0.settingSpecs.isEmpty }.map(\.rawValue)
        for entry in block.entries {
            _ = block.value(entry.key)
            guard let component = Component(rawValue: entry.key), !component.settingSpecs.isEmpty else {
                let known = Component(rawValue: entry.key) != nil
                self.sink.error(
                    entry.keyLocation,
                    entry.value.path,
                    known ? "\(entry.key) has no settings" : "unknown component '\(entry.key)'",
                    hint: Suggestion.closest(to: entry.key, among: names).map { "did you mean '\($0)'?" }
                        ?? "components with settings are \(names.joined(separator: ", "))"
                )
                continue
            }
            guard
                let settings = MappingReader(
                    entry.value,
                    sink: self.sink,
                    expected: "a mapping of \(entry.key) settings"
                )
            else { continue }
            all[component] = self.settings(of: component, settings)
        }
        return all
    }

    private func settings(of component: Component, _ block: MappingReader) -> ComponentSettings {
        var values: [String: SettingValue] = [:]
        for spec in component.settingSpecs {
            guard let value = block.value(spec.key), !value.isNull else { continue }
            switch spec.kind {
            case .port:
                if let port = block.integer(spec.key, in: 1...65535, what: "a port") {
                    values[spec.key] = .integer(port)
                }
            case .count(let range):
                if let count = block.integer(spec.key, in: range, what: "a count") {
                    values[spec.key] = .integer(count)
                }
            case .duration:
                if let duration = block.duration(spec.key) { values[spec.key] = .duration(duration) }
            case .word(let choices):
                if let word = block.choice(spec.key, among: choices) { values[spec.key] = .text(word) }
            case .size:
                values[spec.key] = block.parsed(spec.key) { text in
                    InventorySize.parse(text).map(SettingValue.size)
                        .orProblem("'\(text)' is not a size", hint: "write a number and a unit, e.g. 512mb or 10gb")
                }
            case .path:
                values[spec.key] = block.parsed(spec.key) { text in
                    (text.hasPrefix("/") && !text.contains("\n") && !text.contains("..")
                        ? SettingValue.text(text) : nil)
                        .orProblem(
                            "'\(text)' is not an absolute path on the node",
                            hint: "write a path starting with /"
                        )
                }
            case .name:
                values[spec.key] = block.parsed(spec.key) { text in
                    (DNSLabel.isValid(text, allowUppercase: false) && text.count >= 3 ? SettingValue.text(text) : nil)
                        .orProblem(
                            "'\(text)' is not a valid bucket name",
                            hint: "use 3-63 lowercase letters, digits and '-'"
                        )
                }
            case .sha256:
                values[spec.key] = block.parsed(spec.key) { text in
                    (text.count == 64 && text.allSatisfy { $0.isASCII && $0.isHexDigit }
                        ? SettingValue.text(text.lowercased()) : nil)
                        .orProblem(
                            "'\(text)' is not a sha256 digest",
                            hint: "write the 64 hexadecimal characters of the digest"
                        )
                }
            }
        }
        block.reportUnknownKeys(expected: component.settingSpecs.map(\.key), context: component.rawValue)
        return ComponentSettings(component: component, values: values)
    }

    // MARK: Backup and health

    private func backup(_ block: MappingReader, cluster: String) -> BackupSettings? {
        defer { block.reportUnknownKeys(expected: BackupSettings.keys, context: "backup") }
        let hint = "write destination: minio, or an S3 block with endpoint, bucket, access_key and secret_key"
        var destination: BackupSettings.Destination?
        if let value = block.value("destination"), !value.isNull {
            if let word = value.scalarText {
                if word == "minio" {
                    destination = .minio
                } else {
                    self.sink.error(value.location, value.path, "unknown backup destination '\(word)'", hint: hint)
                }
            } else if let s3 = MappingReader(value, sink: self.sink, expected: "minio or an S3 mapping") {
                destination = self.s3Destination(s3)
            }
        } else {
            block.missing("destination", hint: hint)
        }
        let keepLast = block.integer("keep_last", in: 1...10_000, what: "a number of backups") ?? 7
        let maxAge = block.duration("max_age")
        let prefix = block.string("prefix") ?? cluster
        return destination.map { BackupSettings(destination: $0, keepLast: keepLast, maxAge: maxAge, prefix: prefix) }
    }

    private func s3Destination(_ block: MappingReader) -> BackupSettings.Destination? {
        defer { block.reportUnknownKeys(expected: BackupSettings.S3Destination.keys, context: "an S3 destination") }
        let endpoint = block.string("endpoint", required: "the S3 API URL, e.g. https://s3.example.com")
        if let endpoint, !(endpoint.hasPrefix("https://") || endpoint.hasPrefix("http://")) {
            block.reject(
                "endpoint",
                "'\(endpoint)' is not an http(s) URL",
                hint: "e.g. https://s3.example.com"
            )
        }
        let bucket = block.string("bucket", required: "the bucket backups go to")
        let region = block.string("region") ?? "us-east-1"
        let accessKey = block.secret("access_key", required: "e.g. env:S3_ACCESS_KEY")
        let secretKey = block.secret("secret_key", required: "e.g. file:~/.config/lurus/s3-secret-key")
        guard let endpoint, let bucket, let accessKey, let secretKey else { return nil }
        return .s3(
            .init(endpoint: endpoint, bucket: bucket, region: region, accessKey: accessKey, secretKey: secretKey)
        )
    }

    private func health(_ block: MappingReader) -> HealthSettings {
        defer { block.reportUnknownKeys(expected: HealthSettings.keys, context: "health") }
        var health = HealthSettings()
        if let timeout = block.duration("timeout") { health.timeout = timeout }
        if let warning = block.integer("disk_warning_percent", in: 1...100, what: "a percentage") {
            health.diskWarningPercent = warning
        }
        if let critical = block.integer("disk_critical_percent", in: 1...100, what: "a percentage") {
            health.diskCriticalPercent = critical
        }
        if health.diskWarningPercent >= health.diskCriticalPercent {
            let at = block.keyLocation("disk_warning_percent")
            self.sink.error(
                at,
                block.path.appending("disk_warning_percent"),
                "warning at \(health.diskWarningPercent)% is not below critical at \(health.diskCriticalPercent)%",
                hint: "make disk_warning_percent smaller than disk_critical_percent"
            )
        }
        if let age = block.duration("backup_max_age") { health.backupMaxAge = age }
        if let path = block.string("textfile_path") {
            if path.hasSuffix(".prom") {
                health.textfilePath = self.paths.resolve(path)
            } else {
                block.reject(
                    "textfile_path",
                    "the textfile collector reads only files ending in .prom",
                    hint: "e.g. /var/lib/node_exporter/textfile/lurus.prom"
                )
            }
        }
        health.pingURL = block.secret("ping_url")
        return health
    }
}
