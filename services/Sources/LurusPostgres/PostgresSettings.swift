import Logging
import LurusServiceKit
import PostgresNIO

/// Where a service's PostgreSQL is, read from its settings (`postgres.*`, e.g. `POSTGRES_HOST`); the
/// password comes from `postgres.passwordFile`. Every query is bounded: connections by
/// `postgres.connectTimeoutMs`, statements by the server-side `statement_timeout`
/// (`postgres.statementTimeoutMs`), so no call can hang.
public struct PostgresSettings: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var password: String?
    public var connectTimeout: Duration
    public var statementTimeout: Duration
    public var maximumConnections: Int

    public init(
        host: String = "127.0.0.1",
        port: Int = 5432,
        user: String,
        database: String,
        password: String?,
        connectTimeout: Duration = .seconds(3),
        statementTimeout: Duration = .seconds(5),
        maximumConnections: Int = 10
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.database = database
        self.password = password
        self.connectTimeout = connectTimeout
        self.statementTimeout = statementTimeout
        self.maximumConnections = maximumConnections
    }

    /// Reads the settings; `defaultUser` and `defaultDatabase` are the service's own names.
    public init(settings: Settings, defaultUser: String, defaultDatabase: String) throws(StartupError) {
        self.init(
            host: settings.string("postgres.host") ?? "127.0.0.1",
            port: try settings.int("postgres.port", default: 5432, range: 1...65535),
            user: settings.string("postgres.user") ?? defaultUser,
            database: settings.string("postgres.database") ?? defaultDatabase,
            password: try settings.secretFile("postgres.passwordFile"),
            connectTimeout: .milliseconds(
                try settings.int("postgres.connectTimeoutMs", default: 3000, range: 100...60000)
            ),
            statementTimeout: .milliseconds(
                try settings.int("postgres.statementTimeoutMs", default: 5000, range: 10...600_000)
            ),
            maximumConnections: try settings.int("postgres.maxConnections", default: 10, range: 1...200)
        )
    }

    /// The client configuration: no TLS on the cluster's private network (the mesh encrypts it).
    public var clientConfiguration: PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: self.host,
            port: self.port,
            username: self.user,
            password: self.password,
            database: self.database,
            tls: .disable
        )
        configuration.options.connectTimeout = self.connectTimeout
        configuration.options.maximumConnections = self.maximumConnections
        let milliseconds =
            self.statementTimeout.components.seconds * 1000
            + self.statementTimeout.components.attoseconds / 1_000_000_000_000_000
        configuration.options.additionalStartupParameters = [("statement_timeout", "\(milliseconds)")]
        return configuration
    }

    /// "user@host:port/database", for logs and errors (never the password).
    public var description: String {
        "\(self.user)@\(self.host):\(self.port)/\(self.database)"
    }
}
