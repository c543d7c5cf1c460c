import NIOCore

/// Encodes client operations into protocol bytes. Pure: no I/O, no validation.
public enum NATSProtocolEncoder {
    /// Appends the encoding of `operation` to `buffer`.
    public static func encode(_ operation: NATSClientOperation, into buffer: inout ByteBuffer) {
        switch operation {
        case .connect(let options):
            buffer.writeString("CONNECT \(options.json)\r\n")
        case .pub(let subject, let replyTo, let payload):
            buffer.writeString("PUB \(subject) \(Self.replyField(replyTo))\(payload.count)\r\n")
            buffer.writeBytes(payload)
            buffer.writeString("\r\n")
        case .hpub(let subject, let replyTo, let headers, let payload):
            let block = Array(headers.encoded.utf8)
            let total = block.count + payload.count
            buffer.writeString(
                "HPUB \(subject) \(Self.replyField(replyTo))\(block.count) \(total)\r\n"
            )
            buffer.writeBytes(block)
            buffer.writeBytes(payload)
            buffer.writeString("\r\n")
        case .sub(let subject, let queueGroup, let sid):
            let queue = queueGroup.map { "\($0) " } ?? ""
            buffer.writeString("SUB \(subject) \(queue)\(sid)\r\n")
        case .unsub(let sid, let maxMessages):
            let limit = maxMessages.map { " \($0)" } ?? ""
            buffer.writeString("UNSUB \(sid)\(limit)\r\n")
        case .ping:
            buffer.writeString("PING\r\n")
        case .pong:
            buffer.writeString("PONG\r\n")
        }
    }

    /// The encoding of `operation` as a new buffer.
    public static func encode(_ operation: NATSClientOperation) -> ByteBuffer {
        var buffer = ByteBuffer()
        Self.encode(operation, into: &buffer)
        return buffer
    }

    /// The encoding of `operation` as a string (for tests and logs; payloads decoded as UTF-8).
    public static func encodedString(_ operation: NATSClientOperation) -> String {
        String(buffer: Self.encode(operation))
    }

    private static func replyField(_ replyTo: String?) -> String {
        replyTo.map { "\($0) " } ?? ""
    }
}
