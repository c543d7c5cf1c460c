import LLMWire
import Testing

/// A stream exercising CRLF, CR and LF endings, comments, multi-line data and a trailing event.
private let mixedStream = Array(
    (": keep-alive\r\n\r\n"
        + "event: message_start\r\ndata: {\"a\":1}\r\n\r\n"
        + "data: line one\ndata: line two\n\n"
        + "data:no-space\rdata:  two spaces\r\r"
        + "event: ping\r\n: comment inside\r\ndata\r\n\r\n"
        + "id: 7\nretry: 100\ndata: x\n\n"
        + "data: héllo 😀\r\n\r\n"
        + "data: trailing").utf8
)

private let expectedData = [
    "", "{\"a\":1}", "line one\nline two", "no-space\n two spaces", "", "x", "héllo 😀",
    "trailing",
]

@Suite("Server-sent event parser")
struct ServerSentEventParserTests {
    @Test("Parses names, data and comments per WHATWG rules")
    func parsesFields() {
        let parsed = events(mixedStream)
        #expect(parsed.map(\.data) == expectedData)
        #expect(parsed.map(\.event) == [nil, "message_start", nil, nil, "ping", nil, nil, nil])
        #expect(text(parsed[1].raw) == "event: message_start\r\ndata: {\"a\":1}\r\n\r\n")
        #expect(text(parsed[0].raw) == ": keep-alive\r\n\r\n")
    }

    @Test("Raw bytes of all events concatenate to the input")
    func rawConcatenates() {
        #expect(events(mixedStream).flatMap(\.raw) == mixedStream)
    }

    @Test("Splitting the input at any byte offset yields identical events")
    func splitAnywhere() {
        let whole = events(mixedStream)
        for offset in 0...mixedStream.count {
            var parser = ServerSentEventParser()
            let parsed =
                parser.feed(mixedStream[..<offset]) + parser.feed(mixedStream[offset...])
                + parser.finish()
            #expect(parsed == whole, "split at \(offset)")
        }
    }

    @Test("Feeding one byte at a time yields identical events")
    func byteByByte() {
        var parser = ServerSentEventParser()
        var parsed: [ServerSentEvent] = []
        for byte in mixedStream { parsed += parser.feed([byte]) }
        parsed += parser.finish()
        #expect(parsed == events(mixedStream))
    }

    @Test("Bytes without contiguous storage parse as contiguous bytes do")
    func nonContiguousInput() {
        var parser = ServerSentEventParser()
        let lazyBytes = mixedStream.lazy.map { $0 }
        #expect(lazyBytes.withContiguousStorageIfAvailable { _ in true } == nil)
        #expect(parser.feed(lazyBytes) + parser.finish() == events(mixedStream))
    }

    @Test("An event ended by a lone CR at the end of a chunk waits for the next byte")
    func carriageReturnAtChunkEnd() {
        var parser = ServerSentEventParser()
        #expect(parser.feed(Array("data: a\r\r".utf8)).isEmpty)
        let next = parser.feed(Array("\ndata: b\n\n".utf8))
        #expect(next.map(\.data) == ["a", "b"])
        #expect(text(next[0].raw) == "data: a\r\r\n")
    }

    @Test("A lone CR followed by other data ends the event before that data")
    func carriageReturnThenData() {
        var parser = ServerSentEventParser()
        #expect(parser.feed(Array("data: a\r\r".utf8)).isEmpty)
        let next = parser.feed(Array("data: b\r\r".utf8))
        #expect(next.map(\.data) == ["a"])
        #expect(parser.finish().map(\.data) == ["b"])
    }

    @Test("finish returns nothing when the stream ended cleanly")
    func finishAfterCleanEnd() {
        var parser = ServerSentEventParser()
        #expect(parser.feed(Array("data: done\n\n".utf8)).count == 1)
        #expect(parser.finish().isEmpty)
    }

    @Test("A byte order mark before the first field is ignored but kept in raw")
    func byteOrderMark() {
        let input: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("event: a\ndata: b\n\n".utf8)
        let parsed = events(input)
        #expect(parsed.map(\.event) == ["a"])
        #expect(parsed.first?.raw == input)
    }

    @Test("Events the parser reads back from the encoder keep their data")
    func encoderRoundTrip() {
        let data = "first\nsecond\r\nthird\rfourth\n"
        let encoded = ServerSentEventEncoder.encode(event: "message_delta", data: data)
        let parsed = events(encoded)
        #expect(parsed.count == 1)
        #expect(parsed.first?.event == "message_delta")
        #expect(parsed.first?.data == "first\nsecond\nthird\nfourth\n")
        #expect(parsed.first?.raw == encoded)
    }
}
