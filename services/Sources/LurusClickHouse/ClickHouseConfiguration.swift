import Foundation

/// Where a ClickHouse server's HTTP interface is and who to be there.
public struct ClickHouseConfiguration: Sendable, CustomStringConvertible {
    /// `http://HOST:PORT` (8123 by default).
    public var url: String
    public var user: String
    /// Sent as HTTP basic authentication, never in a URL or a log.
    public var password: String?
    /// The database unqualified names are in.
    public var database: String
    /// The longest a query may take, from the request to the last byte of its answer.
    public var timeout: Duration
    /// The longest an insert may take (large batches take longer than queries).
    public var insertTimeout: Duration

    public init(
        url: String,
        user: String = "default",
        password: String? = nil,
        database: String = "default",
        timeout: Duration = .seconds(10),
        insertTimeout: Duration = .seconds(60)
    ) {
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.user = user
        self.password = password
        self.database = database
        self.timeout = timeout
        self.insertTimeout = insertTimeout
    }

    /// `user@url/database`, without the password.
    public var description: String { "\(self.user)@\(self.url)/\(self.database)" }
}
