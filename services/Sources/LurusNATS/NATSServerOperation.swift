/// One operation sent by the server, as parsed by `NATSProtocolParser`.
public enum NATSServerOperation: Sendable, Equatable {
    /// `INFO {json}`: the server's description, as JSON text.
    case info(String)
    /// `MSG`: a message without headers for subscription `sid`.
    case msg(sid: UInt64, message: NATSMessage)
    /// `HMSG`: a message with headers (and maybe an inline status) for subscription `sid`.
    case hmsg(sid: UInt64, message: NATSMessage)
    /// `PING`: the server wants a `PONG`.
    case ping
    /// `PONG`: the answer to a client `PING`.
    case pong
    /// `+OK`: acknowledgement in verbose mode.
    case ok
    /// `-ERR 'message'`: an error, with the quotes removed.
    case err(String)
}
