import LurusNATS
import TestServers
import Testing

/// JetStream against a real nats-server (each test starts its own).
@Suite("JetStream against nats-server")
struct JetStreamTests {
    static let orders = StreamConfiguration(
        name: "ORDERS",
        subjects: ["orders.>"],
        maxAge: .seconds(3600)
    )

    @Test("ensureStream creates, leaves, then updates the stream")
    func ensureStream() async throws {
        let server = try await NATSServerProcess.start()
        let client = try await TestSupport.connect(to: server)
        let jetStream = JetStream(client: client)
        #expect(try await jetStream.streamInfo("ORDERS") == nil)
        #expect(try await jetStream.ensureStream(Self.orders) == .created)
        #expect(try await jetStream.ensureStream(Self.orders) == .unchanged)
        var changed = Self.orders
        changed.maxAge = .seconds(7200)
        #expect(try await jetStream.ensureStream(changed) == .updated)
        #expect(try await jetStream.ensureStream(changed) == .unchanged)
        let details = try #require(try await jetStream.streamDetails("ORDERS"))
        #expect(details.configuration == changed)
        #expect(
            details.state == StreamState(messages: 0, bytes: 0, firstSequence: 0, lastSequence: 0)
        )
        var invalid = Self.orders
        invalid.name = "has.dot"
        let error = await TestSupport.error {
            _ = try await jetStream.ensureStream(invalid)
        }
        #expect(TestSupport.kind(error) == "protocolViolation")
        await client.close()
    }

    @Test("two clients declaring the same stream at once both succeed (one creates it, or both see it)")
    func ensureStreamRace() async throws {
        let server = try await NATSServerProcess.start()
        let first = JetStream(client: try await TestSupport.connect(to: server))
        let second = JetStream(client: try await TestSupport.connect(to: server))
        for round in 0..<300 {
            let stream = StreamConfiguration(name: "RACE\(round)", subjects: ["race\(round).>"], maxAge: .seconds(3600))
            async let a = first.ensureStream(stream)
            async let b = second.ensureStream(stream)
            let results = try await [a, b]
            #expect(results.contains(.created) && results.allSatisfy { $0 == .created || $0 == .unchanged })
        }
        await first.client.close()
        await second.client.close()
    }

    @Test("acknowledged publishes get increasing sequences")
    func publishSequences() async throws {
        let server = try await NATSServerProcess.start()
        let client = try await TestSupport.connect(to: server)
        let jetStream = JetStream(client: client)
        _ = try await jetStream.ensureStream(Self.orders)
        var sequences: [UInt64] = []
        for index in 1...5 {
            let ack = try await jetStream.publish(
                "orders.new",
                payload: Array("order \(index)".utf8),
                messageID: nil
            )
            #expect(ack.stream == "ORDERS")
            #expect(!ack.duplicate)
            sequences.append(ack.sequence)
        }
        #expect(sequences == [1, 2, 3, 4, 5])
        let state = try #require(try await jetStream.streamInfo("ORDERS"))
        #expect(state.messages == 5)
        #expect(state.firstSequence == 1)
        #expect(state.lastSequence == 5)
        #expect(state.bytes > 0)
        await client.close()
    }

    @Test("the same message id twice is stored once")
    func deduplication() async throws {
        let server = try await NATSServerProcess.start()
        let client = try await TestSupport.connect(to: server)
        let jetStream = JetStream(client: client)
        _ = try await jetStream.ensureStream(Self.orders)
        let first = try await jetStream.publish(
            "orders.new",
            payload: Array("a".utf8),
            messageID: "order-1"
        )
        #expect(!first.duplicate)
        let before = try #require(try await jetStream.streamInfo("ORDERS"))
        let second = try await jetStream.publish(
            "orders.new",
            payload: Array("a".utf8),
            messageID: "order-1"
        )
        #expect(second.duplicate)
        #expect(second.sequence == first.sequence)
        let after = try #require(try await jetStream.streamInfo("ORDERS"))
        #expect(after.messages == before.messages)
        await client.close()
    }

    @Test("publishing to a subject no stream stores fails with noResponders")
    func noStream() async throws {
        let server = try await NATSServerProcess.start()
        let client = try await TestSupport.connect(to: server)
        let jetStream = JetStream(client: client)
        let error = await TestSupport.error {
            _ = try await jetStream.publish("nowhere.new", payload: [], messageID: "x")
        }
        #expect(error == .noResponders("nowhere.new"))
        await client.close()
    }

    @Test("a batch publish acknowledges each message in order, failing only the ones no stream takes")
    func batchPublish() async throws {
        let server = try await NATSServerProcess.start()
        let client = try await TestSupport.connect(to: server)
        let jetStream = JetStream(client: client)
        _ = try await jetStream.ensureStream(Self.orders)
        let messages = [
            JetStreamMessage(subject: "orders.new", payload: Array("a".utf8), messageID: "o-1"),
            JetStreamMessage(subject: "nowhere.new", payload: Array("b".utf8), messageID: "o-2"),
            JetStreamMessage(subject: "orders.new", payload: Array("c".utf8), messageID: "o-3"),
            JetStreamMessage(subject: "orders.new", payload: Array("a".utf8), messageID: "o-1"),
            JetStreamMessage(subject: "bad subject", payload: [], messageID: "o-4"),
        ]
        let acks = await jetStream.publish(messages)
        #expect(acks.count == 5)
        #expect(try acks[0].get() == PublishAck(stream: "ORDERS", sequence: 1))
        #expect(TestSupport.kind(acks[1].failure) == "noResponders")
        #expect(try acks[2].get() == PublishAck(stream: "ORDERS", sequence: 2))
        #expect(try acks[3].get() == PublishAck(stream: "ORDERS", sequence: 1, duplicate: true))
        #expect(TestSupport.kind(acks[4].failure) == "protocolViolation")
        let state = try #require(try await jetStream.streamInfo("ORDERS"))
        #expect(state.messages == 2)
        await client.close()
    }

    @Test("a restarted server keeps the stream's messages")
    func restartKeepsMessages() async throws {
        let server = try await NATSServerProcess.start()
        let client = try await TestSupport.connect(to: server)
        let jetStream = JetStream(client: client)
        #expect(try await jetStream.ensureStream(Self.orders) == .created)
        for index in 1...3 {
            _ = try await jetStream.publish(
                "orders.new",
                payload: Array("\(index)".utf8),
                messageID: "m-\(index)"
            )
        }
        try await server.restart()
        await client.waitUntilClosed()
        let again = try await TestSupport.connect(to: server)
        let restarted = JetStream(client: again)
        let state = try #require(try await restarted.streamInfo("ORDERS"))
        #expect(state.messages == 3)
        #expect(state.lastSequence == 3)
        #expect(try await restarted.ensureStream(Self.orders) == .unchanged)
        await again.close()
    }
}
