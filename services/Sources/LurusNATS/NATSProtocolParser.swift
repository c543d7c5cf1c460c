import NIOCore

/// Incremental parser of the server side of the NATS protocol. Pure: no I/O.
///
/// Feed it bytes as they arrive, split anywhere; it returns the operations completed so far and
/// keeps the rest for the next call.
public struct NATSProtocolParser: Sendable {
    /// The longest control line accepted (an `INFO` can list many URLs).
    public static let maxControlLineLength = 1 << 20
    /// The largest message accepted (the server's `max_payload` can be at most 64 MiB).
    public static let maxMessageSize = 64 << 20

    /// A `MSG`/`HMSG` whose control line has been read and whose body has not yet arrived.
    private struct PendingMessage: Sendable {
        var subject: String
        var sid: UInt64
        var replyTo: String?
        var headerLength: Int?
        var totalLength: Int
    }

    private var buffer = ByteBuffer()
    private var pending: PendingMessage?

    /// Creates a parser with nothing buffered.
    public init() {}

    /// Appends `bytes` and returns the operations they complete.
    public mutating func feed(_ bytes: ByteBuffer) throws(NATSError) -> [NATSServerOperation] {
        var bytes = bytes
        self.buffer.writeBuffer(&bytes)
        return try self.parseBuffered()
    }

    /// Appends `bytes` and returns the operations they complete.
    public mutating func feed(
        _ bytes: some Sequence<UInt8>
    ) throws(NATSError) -> [NATSServerOperation] {
        self.buffer.writeBytes(bytes)
        return try self.parseBuffered()
    }

    private mutating func parseBuffered() throws(NATSError) -> [NATSServerOperation] {
        var operations: [NATSServerOperation] = []
        while true {
            if let pending = self.pending {
                guard let operation = try self.readBody(of: pending) else {
                    break
                }
                self.pending = nil
                operations.append(operation)
                continue
            }
            if let message = try self.readMessageLine() {
                self.pending = message
                continue
            }
            guard let line = try self.readControlLine() else {
                break
            }
            if let operation = try self.parseControlLine(line) {
                operations.append(operation)
            }
        }
        if self.buffer.readableBytes == 0 {
            self.buffer.clear()
        } else if self.buffer.readerIndex > 64 * 1024 {
            self.buffer.discardReadBytes()
        }
        return operations
    }

    /// A whole `MSG`/`HMSG` control line read on bytes (nearly every line a consumer gets), or nil for any
    /// other line, or one not fully arrived: `readControlLine` then reads it.
    private mutating func readMessageLine() throws(NATSError) -> PendingMessage? {
        let view = self.buffer.readableBytesView
        let withHeaders: Bool
        if view.starts(with: "MSG ".utf8) {
            withHeaders = false
        } else if view.starts(with: "HMSG ".utf8) {
            withHeaders = true
        } else {
            return nil
        }
        guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        var fields: [Range<Int>] = []
        var start: Int?
        for index in view.startIndex..<newline {
            let byte = view[index]
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") {
                if let first = start { fields.append(first..<index) }
                start = nil
            } else if start == nil {
                start = index
            }
        }
        if let first = start { fields.append(first..<newline) }
        let operation = withHeaders ? "HMSG" : "MSG"
        let sizeCount = withHeaders ? 2 : 1
        let arguments = fields.count - 1
        guard arguments == 2 + sizeCount || arguments == 3 + sizeCount else {
            throw .protocolViolation("\(operation) with \(arguments) arguments")
        }
        func number(_ range: Range<Int>) -> UInt64? { ASCIIDecimal.uint64(view[range]) }
        guard let sid = number(fields[2]) else {
            throw .protocolViolation("\(operation) with a malformed subscription id")
        }
        let sizes = fields.suffix(sizeCount).compactMap(number)
        guard sizes.count == sizeCount, let total = sizes.last, total <= Self.maxMessageSize else {
            throw .protocolViolation("\(operation) with a malformed or oversized length")
        }
        var headerLength: Int?
        if withHeaders {
            guard let length = sizes.first, length <= total else {
                throw .protocolViolation("HMSG header length exceeds the total length")
            }
            headerLength = Int(length)
        }
        let message = PendingMessage(
            subject: String(decoding: view[fields[1]], as: UTF8.self),
            sid: sid,
            replyTo: arguments == 3 + sizeCount ? String(decoding: view[fields[3]], as: UTF8.self) : nil,
            headerLength: headerLength,
            totalLength: Int(total)
        )
        self.buffer.moveReaderIndex(forwardBy: newline + 1 - view.startIndex)
        return message
    }

    /// The next line without its line end, or nil when it has not fully arrived.
    private mutating func readControlLine() throws(NATSError) -> Substring? {
        let view = self.buffer.readableBytesView
        guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else {
            if view.count > Self.maxControlLineLength {
                throw .protocolViolation(
                    "control line longer than \(Self.maxControlLineLength) bytes"
                )
            }
            return nil
        }
        var lineEnd = newline
        if lineEnd > view.startIndex, view[lineEnd - 1] == UInt8(ascii: "\r") {
            lineEnd -= 1
        }
        let line = String(decoding: view[view.startIndex..<lineEnd], as: UTF8.self)
        self.buffer.moveReaderIndex(forwardBy: newline + 1 - view.startIndex)
        return Substring(line)
    }

    private mutating func parseControlLine(
        _ line: Substring
    ) throws(NATSError) -> NATSServerOperation? {
        let trimmed = line.trimmingBlanks()
        guard !trimmed.isEmpty else {
            return nil
        }
        let verbEnd = trimmed.firstIndex { $0 == " " || $0 == "\t" } ?? trimmed.endIndex
        let verb = trimmed[..<verbEnd].uppercased()
        let rest = trimmed[verbEnd...].trimmingBlanks()
        switch verb {
        case "MSG", "HMSG":
            self.pending = try Self.parseMessageArguments(rest, withHeaders: verb == "HMSG")
            return nil
        case "PING":
            return .ping
        case "PONG":
            return .pong
        case "+OK":
            return .ok
        case "INFO":
            return .info(String(rest))
        case "-ERR":
            var message = rest
            if message.count >= 2, message.hasPrefix("'"), message.hasSuffix("'") {
                message = message.dropFirst().dropLast()
            }
            return .err(String(message))
        default:
            throw .protocolViolation(
                "unknown operation \(String(verb.prefix(32)).debugDescription)"
            )
        }
    }

    private static func parseMessageArguments(
        _ arguments: Substring,
        withHeaders: Bool
    ) throws(NATSError) -> PendingMessage {
        let fields = arguments.split(whereSeparator: { $0 == " " || $0 == "\t" })
        let operation = withHeaders ? "HMSG" : "MSG"
        let sizeCount = withHeaders ? 2 : 1
        guard fields.count == 2 + sizeCount || fields.count == 3 + sizeCount else {
            throw .protocolViolation("\(operation) with \(fields.count) arguments")
        }
        guard let sid = UInt64(fields[1]) else {
            throw .protocolViolation("\(operation) with a malformed subscription id")
        }
        let sizes = fields.suffix(sizeCount).compactMap { Int($0) }
        guard sizes.count == sizeCount, let totalLength = sizes.last, totalLength >= 0,
            totalLength <= Self.maxMessageSize
        else {
            throw .protocolViolation("\(operation) with a malformed or oversized length")
        }
        var headerLength: Int?
        if withHeaders {
            guard let length = sizes.first, length >= 0, length <= totalLength else {
                throw .protocolViolation("HMSG header length exceeds the total length")
            }
            headerLength = length
        }
        return PendingMessage(
            subject: String(fields[0]),
            sid: sid,
            replyTo: fields.count == 3 + sizeCount ? String(fields[2]) : nil,
            headerLength: headerLength,
            totalLength: totalLength
        )
    }

    /// The message once its body and line end have arrived, or nil.
    private mutating func readBody(
        of pending: PendingMessage
    ) throws(NATSError) -> NATSServerOperation? {
        guard self.buffer.readableBytes >= pending.totalLength + 2 else {
            return nil
        }
        let view = self.buffer.readableBytesView
        let bodyEnd = view.startIndex + pending.totalLength
        guard view[bodyEnd] == UInt8(ascii: "\r"), view[bodyEnd + 1] == UInt8(ascii: "\n") else {
            throw .protocolViolation("message body not followed by CRLF")
        }
        let payloadStart = view.startIndex + (pending.headerLength ?? 0)
        var message = NATSMessage(
            subject: pending.subject,
            replyTo: pending.replyTo,
            payload: Array(view[payloadStart..<bodyEnd])
        )
        let operation: NATSServerOperation
        if pending.headerLength != nil {
            let block = try NATSHeaderBlock(parsing: view[view.startIndex..<payloadStart])
            message.headers = block.headers
            message.status = block.status
            message.statusDescription = block.statusDescription
            operation = .hmsg(sid: pending.sid, message: message)
        } else {
            operation = .msg(sid: pending.sid, message: message)
        }
        self.buffer.moveReaderIndex(forwardBy: pending.totalLength + 2)
        return operation
    }
}
