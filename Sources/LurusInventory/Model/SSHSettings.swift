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

    public init() {}

    /// The keys accepted under `ssh:` (defaults) and `nodes.NAME.ssh:` (overrides).
    static let keys = ["user", "port", "identity_file", "known_hosts", "config_file", "proxy_jump", "connect_timeout"]
}
