/// An incremental server-sent-event parser following the WHATWG rules.
///
/// Lines end in "\n", "\r\n" or "\r"; `data:` lines are joined by "\n"; one space after the colon
/// is removed; lines starting with ":" are comments; an event ends at a blank line. Chunks may
/// split anywhere, including inside "\r\n": an event ended by a lone "\r" at the end of a chunk
/// is returned once the next byte shows whether a "\n" belongs to it. Every block is returned,
/// even one with no data and no name (a comment or a stray blank line), so that the `raw` bytes
/// of all events concatenate to the input.
public struct ServerSentEventParser: Sendable {
    private var line: [UInt8] = []
    private var raw: [UInt8] = []
    private var eventName: String?
    private var dataLines: [String] = []
    private var lastWasCarriageReturn = false
    private var dispatchPending = false
    private var atStreamStart = true

    /// Creates a parser at the start of a stream.
    public init() {}

    /// Feeds the next bytes of the stream and returns the events they complete.
    public mutating func feed(_ bytes: some Collection<UInt8>) -> [ServerSentEvent] {
        if let events = bytes.withContiguousStorageIfAvailable({ self.feed(contiguous: $0) }) {
            return events
        }
        return Array(bytes).withUnsafeBufferPointer { self.feed(contiguous: $0) }
    }

    /// The parse itself, on contiguous bytes: a run of bytes up to the next line break joins the
    /// line in one append (a relay's stream is mostly long `data:` lines).
    private mutating func feed(contiguous bytes: UnsafeBufferPointer<UInt8>) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if self.lastWasCarriageReturn {
                self.lastWasCarriageReturn = false
                if byte == 0x0A {
                    self.raw.append(byte)
                    index += 1
                    if self.dispatchPending { events.append(self.dispatch()) }
                    continue
                }
            }
            if self.dispatchPending { events.append(self.dispatch()) }
            guard byte == 0x0A || byte == 0x0D else {
                var end = index + 1
                while end < bytes.count && bytes[end] != 0x0A && bytes[end] != 0x0D { end += 1 }
                let run = UnsafeBufferPointer(rebasing: bytes[index..<end])
                self.line.append(contentsOf: run)
                self.raw.append(contentsOf: run)
                index = end
                continue
            }
            self.raw.append(byte)
            index += 1
            let blank = self.line.isEmpty
            self.processLine()
            if byte == 0x0D {
                self.lastWasCarriageReturn = true
                self.dispatchPending = blank
            } else if blank {
                events.append(self.dispatch())
            }
        }
        return events
    }

    /// Ends the stream, returning a trailing event that no blank line terminated, if any.
    public mutating func finish() -> [ServerSentEvent] {
        if !self.line.isEmpty { self.processLine() }
        let events = self.raw.isEmpty ? [] : [self.dispatch()]
        self = ServerSentEventParser()
        return events
    }

    private mutating func processLine() {
        defer { self.line.removeAll(keepingCapacity: true) }
        var content = self.line[...]
        if self.atStreamStart {
            self.atStreamStart = false
            if content.starts(with: [0xEF, 0xBB, 0xBF]) { content = content.dropFirst(3) }
        }
        guard let first = content.first, first != UInt8(ascii: ":") else { return }
        let field: ArraySlice<UInt8>
        var value: ArraySlice<UInt8>
        if let colon = content.firstIndex(of: UInt8(ascii: ":")) {
            field = content[..<colon]
            value = content[(colon + 1)...]
            if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        } else {
            field = content
            value = []
        }
        if field.elementsEqual("data".utf8) {
            self.dataLines.append(String(decoding: value, as: UTF8.self))
        } else if field.elementsEqual("event".utf8) {
            self.eventName = value.isEmpty ? nil : String(decoding: value, as: UTF8.self)
        }
    }

    private mutating func dispatch() -> ServerSentEvent {
        let event = ServerSentEvent(
            event: self.eventName,
            data: self.dataLines.joined(separator: "\n"),
            raw: self.raw
        )
        self.raw.removeAll(keepingCapacity: true)
        self.eventName = nil
        self.dataLines.removeAll(keepingCapacity: true)
        self.dispatchPending = false
        return event
    }
}
