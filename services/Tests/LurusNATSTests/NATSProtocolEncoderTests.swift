import LurusNATS
import Testing

@Suite("NATSProtocolEncoder")
struct NATSProtocolEncoderTests {
    @Test("CONNECT carries the options as JSON, escaped")
    func connect() {
        let options = NATSConnectOptions(name: "gw", user: "lurus", password: "p\"w\\")
        let expected = """
            CONNECT {"verbose":false,"pedantic":false,"headers":true,"no_responders":true,\
            "name":"gw","lang":"swift","version":"\(NATSClient.version)","protocol":1,\
            "user":"lurus","pass":"p\\"w\\\\"}\r\n
            """
        #expect(NATSProtocolEncoder.encodedString(.connect(options)) == expected)
    }

    @Test("CONNECT without credentials leaves them out")
    func connectAnonymous() {
        let text = NATSProtocolEncoder.encodedString(.connect(NATSConnectOptions(name: "a\nb")))
        #expect(
            text.hasSuffix(
                #""name":"a\nb","lang":"swift","version":"\#(NATSClient.version)","protocol":1}"#
                    + "\r\n"
            )
        )
        #expect(!text.contains("user"))
        #expect(!text.contains("pass"))
    }

    @Test("PUB with and without reply subject")
    func pub() {
        #expect(
            NATSProtocolEncoder.encodedString(
                .pub(subject: "a.b", replyTo: nil, payload: Array("hello".utf8))
            )
                == "PUB a.b 5\r\nhello\r\n"
        )
        #expect(
            NATSProtocolEncoder.encodedString(.pub(subject: "a", replyTo: "r.1", payload: []))
                == "PUB a r.1 0\r\n\r\n"
        )
    }

    @Test("HPUB with headers sorted by name")
    func hpub() {
        let headers = NATSHeaderBlock(headers: ["B": ["x y"], "A": ["1", "2"]])
        let operation = NATSClientOperation.hpub(
            subject: "events.1",
            replyTo: "reply.to",
            headers: headers,
            payload: Array("world".utf8)
        )
        #expect(
            NATSProtocolEncoder.encodedString(operation)
                == "HPUB events.1 reply.to 32 37\r\n"
                + "NATS/1.0\r\nA: 1\r\nA: 2\r\nB: x y\r\n\r\nworld\r\n"
        )
        let single = NATSClientOperation.hpub(
            subject: "s",
            replyTo: nil,
            headers: NATSHeaderBlock(headers: ["A": ["1"]]),
            payload: Array("hello".utf8)
        )
        #expect(
            NATSProtocolEncoder.encodedString(single)
                == "HPUB s 18 23\r\nNATS/1.0\r\nA: 1\r\n\r\nhello\r\n"
        )
    }

    @Test("SUB, UNSUB, PING and PONG")
    func control() {
        #expect(
            NATSProtocolEncoder.encodedString(.sub(subject: "a.*", queueGroup: nil, sid: 1))
                == "SUB a.* 1\r\n"
        )
        #expect(
            NATSProtocolEncoder.encodedString(.sub(subject: "a.>", queueGroup: "q", sid: 12))
                == "SUB a.> q 12\r\n"
        )
        #expect(
            NATSProtocolEncoder.encodedString(.unsub(sid: 3, maxMessages: nil)) == "UNSUB 3\r\n"
        )
        #expect(
            NATSProtocolEncoder.encodedString(.unsub(sid: 3, maxMessages: 10)) == "UNSUB 3 10\r\n"
        )
        #expect(NATSProtocolEncoder.encodedString(.ping) == "PING\r\n")
        #expect(NATSProtocolEncoder.encodedString(.pong) == "PONG\r\n")
    }

    @Test("what the encoder writes, the parser reads back")
    func roundTrip() throws {
        let headers = NATSHeaderBlock(headers: ["Nats-Msg-Id": ["m-1"]])
        let payload: [UInt8] = [0, 13, 10, 255]
        let operation = NATSClientOperation.hpub(
            subject: "s",
            replyTo: "r",
            headers: headers,
            payload: payload
        )
        let bytes = Array(NATSProtocolEncoder.encode(operation).readableBytesView)
        let lineEnd = try #require(bytes.firstIndex(of: 13))
        let control = String(decoding: bytes[..<lineEnd], as: UTF8.self)
        #expect(control.hasPrefix("HPUB s r "))
        let wire =
            Array(("HMSG s 9 r " + control.dropFirst("HPUB s r ".count)).utf8) + bytes[lineEnd...]
        var parser = NATSProtocolParser()
        let message = NATSMessage(
            subject: "s",
            replyTo: "r",
            headers: ["Nats-Msg-Id": ["m-1"]],
            payload: payload
        )
        #expect(try parser.feed(wire) == [.hmsg(sid: 9, message: message)])
    }
}
