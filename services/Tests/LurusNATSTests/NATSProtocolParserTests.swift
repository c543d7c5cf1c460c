import LurusNATS
import NIOCore
import Testing

@Suite("NATSProtocolParser")
struct NATSProtocolParserTests {
    static let infoJSON = """
        {"server_id":"S1","version":"2.9.10","max_payload":1048576,"headers":true}
        """

    /// A mix of every server operation, with a payload containing CRLF and a 503 status.
    static let sample = [
        "INFO \(Self.infoJSON)\r\n",
        "PING\r\n",
        "MSG greet.joe 7 5\r\nhello\r\n",
        "MSG data 3 _INBOX.abc.9 8\r\nab\r\ncd\r\n\r\n",
        "HMSG events.1 4 reply.to 32 37\r\nNATS/1.0\r\nA: 1\r\nA: 2\r\nB: x y\r\n\r\nworld\r\n",
        "HMSG _INBOX.abc.1 1 16 16\r\nNATS/1.0 503\r\n\r\n\r\n",
        "+OK\r\n",
        "PONG\r\n",
        "-ERR 'Authorization Violation'\r\n",
    ].joined()

    static let expected: [NATSServerOperation] = [
        .info(
            "{\"server_id\":\"S1\",\"version\":\"2.9.10\",\"max_payload\":1048576,\"headers\":true}"
        ),
        .ping,
        .msg(sid: 7, message: NATSMessage(subject: "greet.joe", payload: Array("hello".utf8))),
        .msg(
            sid: 3,
            message: NATSMessage(
                subject: "data",
                replyTo: "_INBOX.abc.9",
                payload: Array("ab\r\ncd\r\n".utf8)
            )
        ),
        .hmsg(
            sid: 4,
            message: NATSMessage(
                subject: "events.1",
                replyTo: "reply.to",
                headers: ["A": ["1", "2"], "B": ["x y"]],
                payload: Array("world".utf8)
            )
        ),
        .hmsg(sid: 1, message: NATSMessage(subject: "_INBOX.abc.1", status: 503)),
        .ok,
        .pong,
        .err("Authorization Violation"),
    ]

    @Test("parses every operation of the sample in one piece")
    func wholeSample() throws {
        var parser = NATSProtocolParser()
        let operations = try parser.feed(Array(Self.sample.utf8))
        #expect(operations == Self.expected)
    }

    @Test("copes with the input split at every byte offset")
    func everySplit() throws {
        let bytes = Array(Self.sample.utf8)
        for offset in 0...bytes.count {
            var parser = NATSProtocolParser()
            var operations = try parser.feed(ByteBuffer(bytes: bytes[..<offset]))
            operations += try parser.feed(ByteBuffer(bytes: bytes[offset...]))
            #expect(operations == Self.expected, "split at \(offset)")
        }
    }

    @Test("copes with the input fed one byte at a time")
    func byteByByte() throws {
        var parser = NATSProtocolParser()
        var operations: [NATSServerOperation] = []
        for byte in Self.sample.utf8 {
            operations += try parser.feed([byte])
        }
        #expect(operations == Self.expected)
    }

    @Test("accepts lower-case operations and tabs")
    func caseAndTabs() throws {
        var parser = NATSProtocolParser()
        let operations = try parser.feed(
            Array("ping\r\npong\r\nmsg\ta\t1\t2\r\nhi\r\n-err 'x y'\r\n".utf8)
        )
        #expect(
            operations == [
                .ping, .pong,
                .msg(sid: 1, message: NATSMessage(subject: "a", payload: Array("hi".utf8))),
                .err("x y"),
            ]
        )
    }

    @Test("keeps the status description out of the headers, in a field of its own")
    func statusWithDescription() throws {
        var parser = NATSProtocolParser()
        let operations = try parser.feed(
            Array("HMSG s 2 32 34\r\nNATS/1.0 408 Request Timeout\r\n\r\nok\r\n".utf8)
        )
        #expect(
            operations == [
                .hmsg(
                    sid: 2,
                    message: NATSMessage(
                        subject: "s",
                        status: 408,
                        statusDescription: "Request Timeout",
                        payload: Array("ok".utf8)
                    )
                )
            ]
        )
    }

    @Test("rejects an unknown operation")
    func unknownOperation() {
        var parser = NATSProtocolParser()
        #expect(throws: NATSError.self) {
            _ = try parser.feed(Array("HELLO there\r\n".utf8))
        }
    }

    @Test("rejects a payload not followed by CRLF")
    func missingLineEnd() {
        var parser = NATSProtocolParser()
        #expect(throws: NATSError.self) {
            _ = try parser.feed(Array("MSG a 1 2\r\nhiXX".utf8))
        }
    }

    @Test("rejects a header length larger than the total length")
    func headerLongerThanTotal() {
        var parser = NATSProtocolParser()
        #expect(throws: NATSError.self) {
            _ = try parser.feed(Array("HMSG a 1 10 5\r\n".utf8))
        }
    }

    @Test("parses header blocks")
    func headerBlock() throws {
        let block = try NATSHeaderBlock(
            parsing: Array("NATS/1.0 503 No Responders\r\nK:  v \r\nK: w\r\n\r\n".utf8)
        )
        #expect(
            block
                == NATSHeaderBlock(
                    status: 503,
                    statusDescription: "No Responders",
                    headers: ["K": ["v", "w"]]
                )
        )
        #expect(throws: NATSError.self) {
            _ = try NATSHeaderBlock(parsing: Array("HTTP/1.1 200\r\n\r\n".utf8))
        }
    }
}
