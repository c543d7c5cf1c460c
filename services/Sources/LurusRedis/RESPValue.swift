/// A value of the Redis serialization protocol (RESP2): what a server answers and what a command is.
public enum RESPValue: Sendable, Hashable {
    /// `+OK`.
    case simpleString(String)
    /// `-ERR message`: the server refused the command.
    case error(String)
    /// `:42`.
    case integer(Int64)
    /// `$3\r\nfoo`; nil is the null bulk string (`$-1`), a missing key.
    case bulkString([UInt8]?)
    /// `*2\r\n...`; nil is the null array (`*-1`).
    case array([RESPValue]?)

    /// The value as text: a simple or bulk string (nil for a null or another kind).
    public var string: String? {
        switch self {
        case .simpleString(let text): text
        case .bulkString(let bytes?): String(decoding: bytes, as: UTF8.self)
        default: nil
        }
    }

    /// The bytes of a bulk string, nil for a null one or another kind.
    public var bytes: [UInt8]? {
        if case .bulkString(let bytes?) = self { return bytes }
        return nil
    }

    public var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }
}
