import Foundation

/// Reading SSH settings: defaults and per-node overrides.
extension InventoryDecoder {
    /// SSH keys written in one `ssh:` block; unset ones keep the value they override.
    struct SSHOverrides {
        var user: String?
        var port: Int?
        var identityFile: String?
        var knownHostsFile: String?
        var configFile: SSHSettings.ConfigFile?
        var proxyJump: String?
        var connectTimeout: InventoryDuration?
        var keyExchange: SSHSettings.KeyExchange?
        /// Whether `control_persist` was written, and what it says (nil: off).
        var controlPersistWritten = false
        var controlPersist: InventoryDuration?

        func applied(to base: SSHSettings) -> SSHSettings {
            var settings = base
            if let user { settings.user = user }
            if let port { settings.port = port }
            if let identityFile { settings.identityFile = identityFile }
            if let knownHostsFile { settings.knownHostsFile = knownHostsFile }
            if let configFile { settings.configFile = configFile }
            if let proxyJump { settings.proxyJump = proxyJump }
            if let connectTimeout { settings.connectTimeout = connectTimeout }
            if let keyExchange { settings.keyExchange = keyExchange }
            if self.controlPersistWritten { settings.controlPersist = self.controlPersist }
            return settings
        }
    }

    func sshOverrides(_ block: MappingReader) -> SSHOverrides {
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
        overrides.keyExchange = self.keyExchange(block)
        if let persist = block.duration("control_persist") {
            if persist.milliseconds == 0 {
                overrides.controlPersistWritten = true
            } else if persist.milliseconds < 1_000 || persist.milliseconds > 86_400_000 {
                block.reject(
                    "control_persist",
                    "\(persist) is outside 1s to 1d",
                    hint: "10m suits `lurusctl health` from cron every minute; 0s turns it off"
                )
            } else {
                overrides.controlPersistWritten = true
                overrides.controlPersist = persist
            }
        }
        return overrides
    }

    /// `fast`, `default`, or a comma-separated list of OpenSSH key exchange algorithm names.
    func keyExchange(_ block: MappingReader) -> SSHSettings.KeyExchange? {
        guard let text = block.string("key_exchange") else { return nil }
        switch text {
        case "fast": return .fast
        case "default": return .sshDefault
        default:
            let names = text.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789@.-")
            guard !names.isEmpty, names.allSatisfy({ !$0.isEmpty && $0.allSatisfy(allowed.contains) }) else {
                block.reject(
                    "key_exchange",
                    "'\(text)' is not fast, default or a list of key exchange algorithms",
                    hint:
                        "write fast, default, or names as `ssh -Q kex` lists them, e.g. sntrup761x25519-sha512@openssh.com"
                )
                return nil
            }
            return .algorithms(names)
        }
    }

    func path(_ block: MappingReader, _ key: String) -> String? {
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
}
