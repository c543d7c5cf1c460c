import NIOCore

/// Writes commands as RESP arrays of bulk strings: the one form every Redis command takes, so no
/// argument is ever parsed as syntax.
public enum RESPEncoder {
    /// `*N\r\n` and one `$LEN\r\nBYTES\r\n` per argument, appended to `buffer`.
    public static func encode(_ arguments: [[UInt8]], into buffer: inout ByteBuffer) {
        buffer.writeString("*\(arguments.count)\r\n")
        for argument in arguments {
            buffer.writeString("$\(argument.count)\r\n")
            buffer.writeBytes(argument)
            buffer.writeStaticString("\r\n")
        }
    }

    public static func encode(_ arguments: [[UInt8]]) -> ByteBuffer {
        var buffer = ByteBuffer()
        self.encode(arguments, into: &buffer)
        return buffer
    }
}
