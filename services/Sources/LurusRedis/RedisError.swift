/// What went wrong talking to Redis, said so that a person can act on it.
public enum RedisError: Error, Sendable, Hashable, CustomStringConvertible {
    case connectFailed(host: String, port: Int, reason: String)
    /// The server refused the password (or needs one).
    case authenticationFailed(String)
    /// The server answered `-ERR …` to a command.
    case server(String)
    /// No answer within the command's deadline; the connection was closed (its replies would be out of order).
    case timedOut(command: String, after: Duration)
    case connectionClosed
    case protocolViolation(String)
    /// A reply of another shape than the command returns.
    case unexpectedReply(command: String, reply: String)

    public var description: String {
        switch self {
        case .connectFailed(let host, let port, let reason):
            "cannot connect to Redis at \(host):\(port): \(reason) (is redis-server running there, and the port open?)"
        case .authenticationFailed(let message):
            "Redis refused the password: \(message) (check the password file against the server's requirepass)"
        case .server(let message): "Redis answered: \(message)"
        case .timedOut(let command, let after): "Redis did not answer \(command) within \(after)"
        case .connectionClosed: "the connection to Redis closed"
        case .protocolViolation(let what): "Redis sent something that is not RESP: \(what)"
        case .unexpectedReply(let command, let reply): "Redis answered \(command) with \(reply)"
        }
    }
}
