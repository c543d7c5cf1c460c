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
        let deploy =
            document.mapping("deploy", expected: "a mapping of deploy settings").map(self.deploy) ?? DeploySettings()
        let alerting = document.mapping("alerting", expected: "a mapping of receivers and routes").flatMap(
            self.alerting
        )
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
            health: health,
            deploy: deploy,
            alerting: alerting
        )
    }

    // MARK: Sections

    func clusterName(_ document: MappingReader) -> String {
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

    func mesh(_ document: MappingReader) -> Mesh {
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

    func versions(_ document: MappingReader) -> [String: String] {
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

    func secrets(_ document: MappingReader) -> [String: SecretReference] {
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
}
