import NIOCore

/// Reads RESP2 values from bytes as they arrive: `feed` keeps what is incomplete for the next call and
/// returns every whole value so far. Bounded: a bulk string longer than `maximumBulkLength` or values
/// nested deeper than `maximumDepth` are protocol errors, not memory spent.
public struct RESPParser: Sendable {
    public var maximumBulkLength: Int
    public var maximumDepth: Int
    private var pending = ByteBuffer()

    public init(maximumBulkLength: Int = 64 << 20, maximumDepth: Int = 32) {
        self.maximumBulkLength = maximumBulkLength
        self.maximumDepth = maximumDepth
    }

    /// Appends `bytes` and returns the values now complete, in order.
    public mutating func feed(_ bytes: ByteBuffer) throws(RedisError) -> [RESPValue] {
        var bytes = bytes
        self.pending.writeBuffer(&bytes)
        var values: [RESPValue] = []
        while true {
            var view = self.pending
            guard let value = try self.value(from: &view, depth: 0) else { break }
            values.append(value)
            self.pending = view
        }
        self.pending.discardReadBytes()
        return values
    }

    /// One value from `buffer`, moving its reader past it; nil (and `buffer` in any state) when incomplete.
    private func value(from buffer: inout ByteBuffer, depth: Int) throws(RedisError) -> RESPValue? {
        guard depth <= self.maximumDepth else {
            throw .protocolViolation("values nested more than \(self.maximumDepth) deep")
        }
        guard let kind = buffer.readInteger(as: UInt8.self) else { return nil }
        guard let line = Self.line(from: &buffer) else { return nil }
        switch kind {
        case UInt8(ascii: "+"): return .simpleString(line)
        case UInt8(ascii: "-"): return .error(line)
        case UInt8(ascii: ":"):
            guard let value = Int64(line) else { throw .protocolViolation("integer reply '\(line)' is not a number") }
            return .integer(value)
        case UInt8(ascii: "$"):
            guard let length = Int(line), length >= -1 else {
                throw .protocolViolation("bulk string length '\(line)' is not a number")
            }
            if length == -1 { return .bulkString(nil) }
            guard length <= self.maximumBulkLength else {
                throw .protocolViolation(
                    "a bulk string of \(length) bytes is over the limit of \(self.maximumBulkLength)"
                )
            }
            guard buffer.readableBytes >= length + 2, let bytes = buffer.readBytes(length: length) else { return nil }
            guard buffer.readBytes(length: 2) == [13, 10] else {
                throw .protocolViolation("a bulk string does not end with CRLF")
            }
            return .bulkString(bytes)
        case UInt8(ascii: "*"):
            guard let count = Int(line), count >= -1 else {
                throw .protocolViolation("array length '\(line)' is not a number")
            }
            if count == -1 { return .array(nil) }
            var elements: [RESPValue] = []
            elements.reserveCapacity(min(count, 1024))
            for _ in 0..<count {
                guard let element = try self.value(from: &buffer, depth: depth + 1) else { return nil }
                elements.append(element)
            }
            return .array(elements)
        default:
            throw .protocolViolation("unknown reply type byte \(kind)")
        }
    }

    /// The text up to the next CRLF, moving past it; nil when no CRLF has arrived.
    private static func line(from buffer: inout ByteBuffer) -> String? {
        let view = buffer.readableBytesView
        guard let cr = view.firstIndex(of: 13), cr + 1 < view.endIndex, view[cr + 1] == 10 else { return nil }
        let length = cr - view.startIndex
        let text = buffer.readString(length: length) ?? ""
        buffer.moveReaderIndex(forwardBy: 2)
        return text
    }
}
