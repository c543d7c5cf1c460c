/// How to reach a node over SSH, after the node's own `ssh:` overrides the inventory's defaults.
public struct SSHSettings: Sendable, Hashable {
    /// Which ssh_config file the client reads.
    public enum ConfigFile: Sendable, Hashable {
        /// The user's own `~/.ssh/config`, as plain `ssh` would.
        case userDefault
        /// No config file at all (`ssh -F none`).
        case none
        /// This file instead of the user's (absolute path).
        case path(String)
    }

    public var user: String = "root"
    public var port: Int = 22
    /// Absolute path of the private key, or nil to let ssh choose (agent, config, default keys).
    public var identityFile: String?
    /// Absolute path of the known_hosts file, or nil for the user's.
    public var knownHostsFile: String?
    public var configFile: ConfigFile = .userDefault
    /// The inventory node to jump through, or nil to connect directly.
    public var proxyJump: String?
    public var connectTimeout: InventoryDuration = InventoryDuration(milliseconds: 10_000, text: "10s")
    /// How the SSH key exchange is chosen.
    public var keyExchange: KeyExchange = .fast
    /// How long the node's connection stays open after a run, for the next run to reuse; nil closes it
    /// at the end of the run, leaving nothing running.
    public var controlPersist: InventoryDuration?

    public init() {}

    /// The SSH key exchange (`KexAlgorithms`).
    public enum KeyExchange: Sendable, Hashable {
        /// curve25519 first: about a fifth of the client CPU of OpenSSH's post-quantum default. Applies only
        /// where the user's own ssh configuration names no `KexAlgorithms`.
        case fast
        /// Whatever ssh itself chooses (OpenSSH 9's default puts the post-quantum hybrid first).
        case sshDefault
        /// Exactly these algorithms, in this order, whatever the user's configuration says.
        case algorithms([String])

        /// The list `fast` means: known to every OpenSSH since 7.4, so no client refuses it.
        public static let fastAlgorithms = [
            "curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256", "diffie-hellman-group14-sha256",
        ]
    }

    /// The keys accepted under `ssh:` (defaults) and `nodes.NAME.ssh:` (overrides).
    static let keys = [
        "user", "port", "identity_file", "known_hosts", "config_file", "proxy_jump", "connect_timeout",
        "key_exchange", "control_persist",
    ]
}
