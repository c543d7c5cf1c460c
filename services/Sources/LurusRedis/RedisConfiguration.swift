/// Where Redis is and how to talk to it. The password comes from a secret file the service reads at start
/// (never the command line or the environment's printed settings).
public struct RedisConfiguration: Sendable, Hashable {
    public var host: String
    public var port: Int
    /// `requirepass` (with `user` nil) or an ACL user's password.
    public var password: String?
    public var user: String?
    public var database: Int
    public var connectTimeout: Duration
    /// How long one command may wait for its reply; past it the connection is closed and the next
    /// command connects again.
    public var commandTimeout: Duration
    /// The name the server lists in `CLIENT LIST`.
    public var clientName: String?

    public init(
        host: String = "127.0.0.1",
        port: Int = 6379,
        password: String? = nil,
        user: String? = nil,
        database: Int = 0,
        connectTimeout: Duration = .seconds(2),
        commandTimeout: Duration = .milliseconds(500),
        clientName: String? = nil
    ) {
        self.host = host
        self.port = port
        self.password = password
        self.user = user
        self.database = database
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.clientName = clientName
    }

    /// The commands that make a new connection ready: AUTH, SELECT, CLIENT SETNAME, as needed.
    var handshake: [[String]] {
        var commands: [[String]] = []
        if let password = self.password {
            commands.append(self.user.map { ["AUTH", $0, password] } ?? ["AUTH", password])
        }
        if self.database != 0 { commands.append(["SELECT", String(self.database)]) }
        if let name = self.clientName { commands.append(["CLIENT", "SETNAME", name]) }
        return commands
    }
}
