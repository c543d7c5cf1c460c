/// What can go wrong talking to a NATS server. Descriptions never contain a password.
public enum NATSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The URL could not be parsed; the payload is the URL with any password replaced by "***".
    case invalidURL(String)
    /// The TCP connection could not be made, or the server closed it during the handshake.
    case connectFailed(host: String, port: Int, reason: String)
    /// The server refused the credentials (`-ERR 'Authorization Violation'`).
    case authorizationViolation(String)
    /// The server answered with an error (`-ERR`, or a JetStream API error description).
    case serverError(String)
    /// An operation did not finish in time; the payload says what timed out.
    case timeout(String)
    /// The connection is closed, or closed while the operation was pending.
    case connectionClosed
    /// Nobody subscribes to the subject of a request (status 503).
    case noResponders(String)
    /// Either side broke the protocol: malformed input, an oversized payload, an invalid subject.
    case protocolViolation(String)

    /// A sentence for logs and error messages.
    public var description: String {
        switch self {
        case .invalidURL(let url):
            "invalid NATS URL: \(url)"
        case .connectFailed(let host, let port, let reason):
            "cannot connect to NATS at \(host):\(port): \(reason)"
        case .authorizationViolation(let message):
            "NATS authorization failed: \(message)"
        case .serverError(let message):
            "NATS server error: \(message)"
        case .timeout(let what):
            "NATS timeout: \(what)"
        case .connectionClosed:
            "NATS connection closed"
        case .noResponders(let subject):
            "no responders for NATS subject \(subject)"
        case .protocolViolation(let message):
            "NATS protocol violation: \(message)"
        }
    }
}
