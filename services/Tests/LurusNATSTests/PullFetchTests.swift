import Testing

@testable import LurusNATS

/// The pull protocol without a server: reply subjects, the fetch's replies, acknowledgements.
@Suite("Pull consumer protocol")
struct PullFetchTests {
    static let replyV1 = "$JS.ACK.ORDERS.billing.2.17.40.1764620000123456789.3"

    @Test("a 9-token reply subject gives stream, consumer, delivery count, sequences and pending")
    func metadataV1() {
        #expect(
            JetStreamAckMetadata(replySubject: Self.replyV1)
                == JetStreamAckMetadata(
                    stream: "ORDERS",
                    consumer: "billing",
                    delivered: 2,
                    streamSequence: 17,
                    consumerSequence: 40,
                    timestamp: 1_764_620_000_123_456_789,
                    pending: 3
                )
        )
    }

    @Test(
        "the newer form carries a domain (_ for none) and an account, and may end with more tokens",
        arguments: [
            ("$JS.ACK._.ACCHASH.ORDERS.billing.1.5.6.100.0.RANDOM", nil),
            ("$JS.ACK.hub.ACCHASH.ORDERS.billing.1.5.6.100.0", "hub"),
        ] as [(String, String?)]
    )
    func metadataV2(subject: String, domain: String?) {
        let metadata = JetStreamAckMetadata(replySubject: subject)
        #expect(metadata?.domain == domain)
        #expect(metadata?.stream == "ORDERS" && metadata?.consumer == "billing")
        #expect(metadata?.delivered == 1 && metadata?.streamSequence == 5 && metadata?.consumerSequence == 6)
        #expect(metadata?.timestamp == 100 && metadata?.pending == 0)
    }

    @Test(
        "other subjects are not acknowledgement subjects",
        arguments: [
            "_INBOX.abc.1", "$JS.ACK.ORDERS.billing.2.17.40.17", "$JS.ACK.ORDERS.billing.two.17.40.1.3",
            "$JS.NAK.ORDERS.billing.2.17.40.1.3", "$JS.ACK.ORDERS..2.17.40.1.3", "$JS.ACK._.A.ORDERS.c.1.2.3.4",
        ]
    )
    func notMetadata(subject: String) {
        #expect(JetStreamAckMetadata(replySubject: subject) == nil)
    }

    @Test("the pull request asks for a batch, with expires in nanoseconds and no_wait when wanted")
    func requestBody() {
        let text = { (bytes: [UInt8]) in String(decoding: bytes, as: UTF8.self) }
        #expect(
            text(PullFetch.requestBody(batch: 10, expires: .seconds(2), noWait: false))
                == #"{"batch":10,"expires":2000000000}"#
        )
        #expect(
            text(PullFetch.requestBody(batch: 1, expires: .milliseconds(5), noWait: true))
                == #"{"batch":1,"expires":5000000,"no_wait":true}"#
        )
        #expect(text(PullFetch.requestBody(batch: 3, expires: nil, noWait: true)) == #"{"batch":3,"no_wait":true}"#)
        #expect(PullFetch(stream: "S", consumer: "c", batch: 1).requestSubject == "$JS.API.CONSUMER.MSG.NEXT.S.c")
    }

    static func delivery(_ sequence: Int) -> NATSMessage {
        NATSMessage(
            subject: "orders.new",
            replyTo: "$JS.ACK.S.c.1.\(sequence).\(sequence).1.0",
            payload: Array("m\(sequence)".utf8)
        )
    }

    static func status(_ code: Int, _ description: String? = nil) -> NATSMessage {
        NATSMessage(subject: "_INBOX.x.sub.2", status: code, statusDescription: description)
    }

    /// Feeds one message to `fetch`; whether the fetch is over.
    static func feed(_ fetch: inout PullFetch, _ message: NATSMessage) -> Bool {
        fetch.receive(message)
    }

    @Test("a full batch ends the fetch; later messages are not taken")
    func fullBatch() throws {
        var fetch = PullFetch(stream: "S", consumer: "c", batch: 2)
        #expect(Self.feed(&fetch, Self.delivery(1)) == false)
        #expect(Self.feed(&fetch, Self.delivery(2)) == true)
        #expect(Self.feed(&fetch, Self.delivery(3)) == true)
        let deliveries = try fetch.result(ifOpen: .complete).get()
        #expect(deliveries.map(\.metadata.streamSequence) == [1, 2])
    }

    @Test("404 and 408 end a fetch with what arrived; a heartbeat does not end it", arguments: [404, 408])
    func endedByServer(status: Int) throws {
        var fetch = PullFetch(stream: "S", consumer: "c", batch: 5)
        #expect(Self.feed(&fetch, Self.delivery(1)) == false)
        #expect(Self.feed(&fetch, Self.status(100, "Idle Heartbeat")) == false)
        #expect(Self.feed(&fetch, Self.status(status)) == true)
        #expect(try fetch.result(ifOpen: .failed(.connectionClosed)).get().count == 1)
    }

    @Test("a 409 or a 503 before any message fails the fetch, naming the consumer")
    func failures() {
        var deleted = PullFetch(stream: "S", consumer: "c", batch: 5)
        #expect(Self.feed(&deleted, Self.status(409, "Consumer Deleted")) == true)
        #expect(
            deleted.result(ifOpen: .complete).failure
                == .serverError("pull request to consumer c on stream S ended: Consumer Deleted")
        )
        var missing = PullFetch(stream: "S", consumer: "c", batch: 5)
        #expect(Self.feed(&missing, Self.status(503)) == true)
        #expect(
            missing.result(ifOpen: .complete).failure
                == .serverError("no consumer c on stream S answers pull requests; create it with ensureConsumer")
        )
    }

    @Test("a failure after messages arrived still returns them; they are acknowledged or redelivered")
    func failureAfterMessages() throws {
        var fetch = PullFetch(stream: "S", consumer: "c", batch: 5)
        #expect(Self.feed(&fetch, Self.delivery(1)) == false)
        #expect(Self.feed(&fetch, Self.status(409, "Exceeded MaxWaiting")) == true)
        #expect(try fetch.result(ifOpen: .complete).get().count == 1)
    }

    @Test("a message that is not a delivery is a protocol violation; an open fetch ends as told")
    func oddMessages() throws {
        var odd = PullFetch(stream: "S", consumer: "c", batch: 5)
        #expect(Self.feed(&odd, NATSMessage(subject: "x", replyTo: "_INBOX.y.1")) == true)
        #expect(TestSupport.kind(odd.result(ifOpen: .complete).failure) == "protocolViolation")
        let open = PullFetch(stream: "S", consumer: "c", batch: 5)
        #expect(open.result(ifOpen: .failed(.connectionClosed)).failure == .connectionClosed)
        #expect(try open.result(ifOpen: .complete).get().isEmpty)
    }

    @Test("acknowledgement payloads: +ACK, +NAK with an optional delay in nanoseconds, +TERM, +WPI")
    func ackPayloads() {
        let text = { (kind: AckKind) in String(decoding: kind.payload, as: UTF8.self) }
        #expect(text(.ack) == "+ACK")
        #expect(text(.nak(delay: nil)) == "+NAK")
        #expect(text(.nak(delay: .milliseconds(1500))) == #"+NAK {"delay":1500000000}"#)
        #expect(text(.term) == "+TERM")
        #expect(text(.inProgress) == "+WPI")
    }
}
