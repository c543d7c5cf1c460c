/// Reading the `alerting:` block.
extension InventoryDecoder {
    func alerting(_ block: MappingReader) -> AlertingSettings? {
        defer { block.reportUnknownKeys(expected: AlertingSettings.keys, context: "alerting") }
        var receivers: [AlertingSettings.Receiver] = []
        if let list = block.mapping("receivers", expected: "a mapping of receiver name to where it sends") {
            for entry in list.entries {
                guard Self.isReceiverName(entry.key) else {
                    self.sink.error(
                        entry.keyLocation,
                        entry.value.path,
                        "'\(entry.key)' is not a receiver name",
                        hint: "use lowercase letters, digits, '-' and '_'"
                    )
                    continue
                }
                _ = list.value(entry.key)
                guard
                    let reader = MappingReader(
                        entry.value,
                        sink: self.sink,
                        expected: "a mapping with webhook or email"
                    )
                else { continue }
                receivers.append(self.receiver(entry.key, reader))
            }
        } else {
            block.missing("receivers", hint: "name at least one, e.g. receivers: {oncall: {webhook: env:ONCALL_URL}}")
        }
        let names = receivers.map(\.name)
        func known(_ reader: MappingReader, _ key: String) -> String? {
            guard let name = reader.string(key) else { return nil }
            guard names.contains(name) else {
                reader.reject(
                    key,
                    "no receiver is named '\(name)'",
                    hint: "\(Suggestion.phrase(for: name, among: names))name one of alerting.receivers".trimmingSpaces()
                )
                return nil
            }
            return name
        }
        let receiver = known(block, "receiver")
        if block.value("receiver") == nil {
            block.missing("receiver", hint: "name the receiver of every alert no route takes, e.g. receiver: oncall")
        }
        var settings = AlertingSettings(receiver: receiver ?? "", receivers: receivers)
        settings.routes = self.routes(block, known: known)
        settings.watchdog = known(block, "watchdog")
        if let email = block.mapping("email", expected: "a mapping of mail server settings") {
            settings.email = self.email(email)
        }
        if settings.email == nil, let first = receivers.first(where: { !$0.email.isEmpty }) {
            block.missing("email", hint: "receiver \(first.name) sends e-mail: give the mail server (smarthost, from)")
        }
        if let wait = block.duration("group_wait") { settings.groupWait = wait }
        if let interval = block.duration("group_interval") { settings.groupInterval = interval }
        if let repeatInterval = block.duration("repeat_interval") { settings.repeatInterval = repeatInterval }
        return receiver == nil ? nil : settings
    }

    func receiver(_ name: String, _ reader: MappingReader) -> AlertingSettings.Receiver {
        defer { reader.reportUnknownKeys(expected: AlertingSettings.receiverKeys, context: "a receiver") }
        var receiver = AlertingSettings.Receiver(name: name)
        receiver.webhook = reader.secret("webhook")
        for (address, item) in reader.list("email") ?? [] {
            guard Self.isMailAddress(address) else {
                self.sink.error(
                    item.location,
                    item.path,
                    "'\(address)' is not an e-mail address",
                    hint: "e.g. ops@example.com"
                )
                continue
            }
            receiver.email.append(address)
        }
        if reader.value("webhook") == nil && reader.value("email") == nil {
            self.sink.error(
                reader.location,
                reader.path,
                "receiver \(name) sends nowhere",
                hint: "give it a webhook (a secret reference, e.g. env:ONCALL_URL) or email addresses"
            )
        }
        return receiver
    }

    func routes(_ block: MappingReader, known: (MappingReader, String) -> String?) -> [AlertingSettings.Route] {
        guard let value = block.value("routes"), !value.isNull else { return [] }
        guard case .sequence(let sequence) = value.node else {
            self.sink.error(
                value.location,
                value.path,
                "expected a list of routes, found \(value.kindDescription)",
                hint: "write one '- receiver: NAME' with its match: per route"
            )
            return []
        }
        var routes: [AlertingSettings.Route] = []
        for (index, node) in sequence.enumerated() {
            let item = YAMLValue(node: node, path: value.path.appending(index: index), file: self.sink.file)
            self.sink.record(item.path, at: item.location)
            guard let reader = MappingReader(item, sink: self.sink, expected: "a route: receiver and match") else {
                continue
            }
            defer { reader.reportUnknownKeys(expected: AlertingSettings.routeKeys, context: "a route") }
            let receiver = known(reader, "receiver")
            if reader.value("receiver") == nil {
                reader.missing("receiver", hint: "name the receiver this route sends to")
            }
            var match: [(String, String)] = []
            if let labels = reader.mapping("match", expected: "a mapping of label to value, e.g. {severity: critical}")
            {
                for entry in labels.entries {
                    guard let text = labels.string(entry.key) else { continue }
                    guard Self.isLabelName(entry.key) else {
                        self.sink.error(
                            entry.keyLocation,
                            entry.value.path,
                            "'\(entry.key)' is not a Prometheus label name",
                            hint: "use letters, digits and '_', not starting with a digit"
                        )
                        continue
                    }
                    match.append((entry.key, text))
                }
            }
            if match.isEmpty {
                reader.missing("match", hint: "say which alerts take this route, e.g. match: {severity: critical}")
            }
            if let receiver, !match.isEmpty { routes.append(AlertingSettings.Route(receiver: receiver, match: match)) }
        }
        return routes
    }

    func email(_ block: MappingReader) -> AlertingSettings.Email? {
        defer { block.reportUnknownKeys(expected: AlertingSettings.Email.keys, context: "alerting.email") }
        let smarthost = block.string("smarthost", required: "the SMTP server as HOST:PORT, e.g. smtp.example.com:587")
        if let smarthost, smarthost.split(separator: ":").last.flatMap({ Int($0) }) == nil {
            block.reject("smarthost", "'\(smarthost)' has no port", hint: "write HOST:PORT, e.g. smtp.example.com:587")
        }
        let from = block.string("from", required: "the sender address, e.g. alerts@example.com")
        if let from, !Self.isMailAddress(from) {
            block.reject("from", "'\(from)' is not an e-mail address", hint: "e.g. alerts@example.com")
        }
        guard let smarthost, let from else { return nil }
        var email = AlertingSettings.Email(smarthost: smarthost, from: from)
        email.username = block.string("username")
        email.password = block.secret("password")
        if email.password != nil && email.username == nil {
            block.missing("username", hint: "a password needs the user name it belongs to")
        }
        email.requireTLS = block.bool("require_tls") ?? true
        return email
    }

    static func isReceiverName(_ name: String) -> Bool {
        !name.isEmpty
            && name.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
            }
    }

    static func isLabelName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
        }
    }

    static func isMailAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !text.contains(where: \.isWhitespace)
    }
}
