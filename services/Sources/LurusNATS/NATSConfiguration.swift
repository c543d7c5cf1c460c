/// Where and how to connect to a NATS server.
///
/// The password is never logged and never part of a description or an error.
public struct NATSConfiguration: Sendable {
    /// The server's host name or address.
    public var host: String
    /// The server's client port.
    public var port: Int
    /// The user name for user/password authorization, if any.
    public var user: String?
    /// The password for user/password authorization, if any.
    public var password: String?
    /// The client name sent in `CONNECT` (shown by the server's monitoring).
    public var name: String
    /// How long connecting may take: TCP connect, `INFO`, `CONNECT` and the first `PING`/`PONG`.
    public var connectTimeout: Duration
    /// The default timeout of requests, flushes and subscriptions.
    public var requestTimeout: Duration
    /// How often the client pings an idle server to find out whether the connection is alive.
    public var pingInterval: Duration
    /// How many keep-alive pings may go unanswered before the client closes the connection.
    public var maxPingsOutstanding: Int

    /// Creates a configuration.
    public init(
        host: String,
        port: Int = 4222,
        user: String? = nil,
        password: String? = nil,
        name: String = "lurus"
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.name = name
        self.connectTimeout = .seconds(2)
        self.requestTimeout = .seconds(2)
        self.pingInterval = .seconds(30)
        self.maxPingsOutstanding = 2
    }

    /// Parses "nats://[user:pass@]host[:port]"; an IPv6 host goes in brackets.
    ///
    /// Throws `NATSError.invalidURL` with any password in the URL replaced by "***".
    public init(url: String) throws(NATSError) {
        let redacted = Self.redacting(url)
        let scheme = "nats://"
        guard url.lowercased().hasPrefix(scheme) else {
            throw .invalidURL(redacted)
        }
        var rest = Substring(url.dropFirst(scheme.count))
        if rest.hasSuffix("/") {
            rest = rest.dropLast()
        }
        var user: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let colon = userInfo.firstIndex(of: ":")
            guard let decodedUser = Self.percentDecoded(userInfo[..<(colon ?? userInfo.endIndex)]),
                !decodedUser.isEmpty
            else {
                throw .invalidURL(redacted)
            }
            user = decodedUser
            if let colon {
                guard let decoded = Self.percentDecoded(userInfo[userInfo.index(after: colon)...])
                else {
                    throw .invalidURL(redacted)
                }
                password = decoded
            }
        }
        guard let (host, port) = Self.hostAndPort(rest) else {
            throw .invalidURL(redacted)
        }
        self.init(host: host, port: port, user: user, password: password)
    }

    /// The URL with the password part of its user info replaced by "***".
    static func redacting(_ url: String) -> String {
        guard let schemeEnd = url.firstRange(of: "://"),
            let at = url[schemeEnd.upperBound...].lastIndex(of: "@"),
            let colon = url[schemeEnd.upperBound..<at].firstIndex(of: ":")
        else {
            return url
        }
        return url[..<url.index(after: colon)] + "***" + url[at...]
    }

    private static func hostAndPort(_ authority: Substring) -> (String, Int)? {
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                return nil
            }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else {
                    return nil
                }
                portText = after.dropFirst()
            }
        } else if let colon = authority.firstIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        let forbidden: Set<Character> = ["/", "?", "#", "@", " "]
        guard !host.isEmpty, !host.contains(where: { forbidden.contains($0) }) else {
            return nil
        }
        var port = 4222
        if let portText {
            guard let parsed = Int(portText), (1...65_535).contains(parsed) else {
                return nil
            }
            port = parsed
        }
        return (String(host), port)
    }

    private static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var utf8 = text.utf8.makeIterator()
        while let byte = utf8.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = utf8.next(), let low = utf8.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            else {
                return nil
            }
            bytes.append(value)
        }
        return String(validating: bytes, as: UTF8.self)
    }
}

extension NATSConfiguration: CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The URL-like form, with "***" for the password.
    public var description: String {
        let credentials = self.user.map { "\($0):\(self.password == nil ? "" : "***")@" } ?? ""
        return "nats://\(credentials)\(self.host):\(self.port) (name: \(self.name))"
    }

    /// Same as `description`: the password is never shown.
    public var debugDescription: String {
        self.description
    }

    /// The fields, with "***" for the password (for `dump`).
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "host": self.host, "port": self.port, "user": self.user as Any,
                "password": self.password == nil ? "nil" : "***", "name": self.name,
            ]
        )
    }
}
