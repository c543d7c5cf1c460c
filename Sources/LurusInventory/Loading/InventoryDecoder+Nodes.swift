/// Reading nodes: addresses, components, labels and taints.
extension InventoryDecoder {
    func nodes(_ document: MappingReader, sshDefaults: SSHSettings) -> [Node] {
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

    func node(named name: String, _ reader: MappingReader, sshDefaults: SSHSettings) -> Node {
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

    func address(_ reader: MappingReader, _ key: String, required hint: String?) -> NodeAddress? {
        reader.parsed(key, required: hint, NodeAddress.parse)
    }

    func components(_ reader: MappingReader) -> [Component] {
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

    func labels(_ reader: MappingReader) -> [Node.Label] {
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

    func taints(_ reader: MappingReader) -> [Taint] {
        var taints: [Taint] = []
        for (text, item) in reader.list("taints") ?? [] {
            switch Taint.parse(text) {
            case .success(let taint): taints.append(taint)
            case .failure(let problem): self.sink.error(item.location, item.path, problem.message, hint: problem.hint)
            }
        }
        return taints
    }
}
