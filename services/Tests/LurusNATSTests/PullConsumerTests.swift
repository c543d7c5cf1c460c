import TestServers
import Testing

@testable import LurusNATS

/// Durable pull consumers against a real nats-server (each test starts its own). Every wait is
/// bounded: fetches end by `expires` plus a quarter second (`expiryGrace`), and the suite has a time limit.
@Suite("Pull consumers against nats-server", .timeLimit(.minutes(1)))
struct PullConsumerTests {
    static let orders = StreamConfiguration(name: "ORDERS", subjects: ["orders.>"], maxAge: .seconds(3600))

    /// A connected client with the ORDERS stream and `messages` published to orders.new (ids
    /// order-1, order-2, …).
    static func prepare(
        _ server: NATSServerProcess,
        messages: Int
    ) async throws -> (client: NATSClient, jetStream: JetStream) {
        let client = try await TestSupport.connect(to: server)
        let jetStream = JetStream(client: client)
        _ = try await jetStream.ensureStream(Self.orders)
        for index in 0..<messages {
            _ = try await jetStream.publish(
                "orders.new",
                payload: Array("order \(index + 1)".utf8),
                messageID: "order-\(index + 1)"
            )
        }
        return (client, jetStream)
    }

    /// The consumer once the server has applied the acknowledgements it has read (it does so after reading
    /// them), waiting at most 5 s.
    static func settled(_ jetStream: JetStream, consumer: String) async throws -> ConsumerInfo {
        var info = try #require(try await jetStream.consumerInfo(stream: "ORDERS", consumer: consumer))
        let clock = ContinuousClock()
        let end = clock.now + .seconds(5)
        while info.ackPending > 0, clock.now < end {
            try await Task.sleep(for: .milliseconds(50))
            info = try #require(try await jetStream.consumerInfo(stream: "ORDERS", consumer: consumer))
        }
        return info
    }

    static func texts(_ deliveries: [JetStreamDelivery]) -> [String] {
        deliveries.map { String(decoding: $0.payload, as: UTF8.self) }
    }

    @Test("ensureConsumer creates, leaves, then updates the durable consumer; consumerInfo looks it up")
    func ensureConsumer() async throws {
        let server = try await NATSServerProcess.start()
        let (client, jetStream) = try await Self.prepare(server, messages: 0)
        #expect(try await jetStream.consumerInfo(stream: "ORDERS", consumer: "billing") == nil)
        var configuration = ConsumerConfiguration(
            durableName: "billing",
            filterSubject: "orders.new",
            ackWait: .seconds(5),
            maxDeliver: 3
        )
        #expect(try await jetStream.ensureConsumer(configuration, on: "ORDERS") == .created)
        #expect(try await jetStream.ensureConsumer(configuration, on: "ORDERS") == .unchanged)
        configuration.ackWait = .seconds(10)
        #expect(try await jetStream.ensureConsumer(configuration, on: "ORDERS") == .updated)
        #expect(try await jetStream.ensureConsumer(configuration, on: "ORDERS") == .unchanged)
        let info = try #require(try await jetStream.consumerInfo(stream: "ORDERS", consumer: "billing"))
        #expect(info.stream == "ORDERS")
        #expect(info.configuration == configuration)
        #expect(info.pending == 0 && info.ackPending == 0)

        let badName = await TestSupport.error {
            _ = try await jetStream.ensureConsumer(ConsumerConfiguration(durableName: "has.dot"), on: "ORDERS")
        }
        #expect(TestSupport.kind(badName) == "protocolViolation")
        let noStream = await TestSupport.error {
            _ = try await jetStream.ensureConsumer(ConsumerConfiguration(durableName: "billing"), on: "NOWHERE")
        }
        #expect(TestSupport.kind(noStream) == "serverError")
        await client.close()
    }

    @Test("messages are fetched in order with their metadata; acknowledged ones are not delivered again")
    func consumeAndAck() async throws {
        let server = try await NATSServerProcess.start()
        let (client, jetStream) = try await Self.prepare(server, messages: 3)
        _ = try await jetStream.ensureConsumer(
            ConsumerConfiguration(durableName: "billing", ackWait: .seconds(1)),
            on: "ORDERS"
        )
        let consumer = jetStream.pullConsumer(stream: "ORDERS", name: "billing")

        let deliveries = try await consumer.fetch(batch: 3, expires: .seconds(2))
        #expect(Self.texts(deliveries) == ["order 1", "order 2", "order 3"])
        #expect(deliveries.map(\.metadata.streamSequence) == [1, 2, 3])
        #expect(deliveries.map(\.metadata.consumerSequence) == [1, 2, 3])
        #expect(deliveries.map(\.metadata.delivered) == [1, 1, 1])
        #expect(deliveries.map(\.metadata.pending) == [2, 1, 0])
        #expect(deliveries.allSatisfy { $0.metadata.stream == "ORDERS" && $0.metadata.consumer == "billing" })
        #expect(deliveries.map(\.messageID) == ["order-1", "order-2", "order-3"])
        #expect(deliveries.map(\.message.subject) == ["orders.new", "orders.new", "orders.new"])
        for delivery in deliveries {
            try await delivery.ack(confirmed: true)
        }
        let info = try #require(try await jetStream.consumerInfo(stream: "ORDERS", consumer: "billing"))
        #expect(info.ackPending == 0)
        #expect(info.ackFloor == .init(consumerSequence: 3, streamSequence: 3))

        // Past the ack wait, nothing comes back.
        try await Task.sleep(for: .milliseconds(1300))
        #expect(try await consumer.fetch(batch: 10, expires: .milliseconds(500)).isEmpty)
        await client.close()
    }

    @Test("a batch acknowledged in one write is acknowledged whole, out of order too; none comes back")
    func batchAck() async throws {
        let server = try await NATSServerProcess.start()
        let (client, jetStream) = try await Self.prepare(server, messages: 500)
        _ = try await jetStream.ensureConsumer(
            ConsumerConfiguration(durableName: "logs", ackWait: .seconds(1), maxAckPending: 1000),
            on: "ORDERS"
        )
        let consumer = jetStream.pullConsumer(stream: "ORDERS", name: "logs")
        let deliveries = try await consumer.fetch(batch: 500, expires: .seconds(2))
        #expect(deliveries.count == 500)
        // Explicit acks, not "ack all": acknowledging only the last would leave the other 499 pending.
        try await JetStreamDelivery.ack(Array(deliveries.reversed()))
        try await client.flush()
        let info = try await Self.settled(jetStream, consumer: "logs")
        #expect(info.ackPending == 0)
        #expect(info.ackFloor == .init(consumerSequence: 500, streamSequence: 500))
        try await Task.sleep(for: .milliseconds(1300))
        #expect(try await consumer.fetch(batch: 10, expires: .milliseconds(500)).isEmpty)
        await client.close()
    }

    @Test("a fetch waits a quarter second past its expiry for the 408, not a whole API timeout")
    func localDeadline() {
        // nats-server 2.9 sometimes drops the 408 that ends an expired request (nats-server#3942); a fetch then
        // waited expires plus the API timeout (2 s) before it was over: the log service's 2 s tail delay.
        #expect(PullConsumer.localDeadline(expires: .milliseconds(100), timeout: .seconds(2)) == .milliseconds(350))
        #expect(PullConsumer.localDeadline(expires: .seconds(5), timeout: .milliseconds(100)) == .milliseconds(5100))
        #expect(PullConsumer.localDeadline(expires: nil, timeout: .seconds(2)) == .seconds(2), "no_wait")
    }

    @Test("short fetches while messages stream in lose nothing: every message received and acknowledged")
    func shortFetchesUnderLoad() async throws {
        let server = try await NATSServerProcess.start()
        let (client, jetStream) = try await Self.prepare(server, messages: 0)
        _ = try await jetStream.ensureConsumer(ConsumerConfiguration(durableName: "logs"), on: "ORDERS")
        let consumer = jetStream.pullConsumer(stream: "ORDERS", name: "logs")
        let publisher = Task {
            for index in 0..<3000 {
                try await client.publish("orders.new", payload: Array("order \(index)".utf8))
                if index % 50 == 49 { try await Task.sleep(for: .milliseconds(10)) }
            }
        }
        var received = Set<String>()
        let clock = ContinuousClock()
        let end = clock.now + .seconds(40)
        while received.count < 3000, clock.now < end {
            let deliveries = try await consumer.fetch(batch: 1000, expires: .milliseconds(100))
            received.formUnion(Self.texts(deliveries))
            try await JetStreamDelivery.ack(deliveries)
        }
        try await publisher.value
        #expect(received.count == 3000)
        try await client.flush()
        let info = try await Self.settled(jetStream, consumer: "logs")
        #expect(info.pending == 0 && info.ackPending == 0, "nothing delivered to a fetch that had ended")
        await client.close()
    }

    @Test("an unacknowledged message is delivered again after the ack wait, with a higher delivery count")
    func redelivery() async throws {
        let server = try await NATSServerProcess.start()
        let (client, jetStream) = try await Self.prepare(server, messages: 1)
        _ = try await jetStream.ensureConsumer(
            ConsumerConfiguration(durableName: "billing", ackWait: .seconds(3), maxDeliver: 2),
            on: "ORDERS"
        )
        let consumer = jetStream.pullConsumer(stream: "ORDERS", name: "billing")
        let clock = ContinuousClock()
        let requested = clock.now
        let first = try #require(try await consumer.fetch(batch: 1, expires: .seconds(2)).first)
        #expect(first.metadata.delivered == 1)

        // Within the ack wait (3 s; room for a loaded machine) it is not delivered again.
        #expect(try await consumer.fetch(batch: 1, expires: .milliseconds(300)).isEmpty)
        let again = try #require(try await consumer.fetch(batch: 1, expires: .seconds(8)).first)
        #expect(again.metadata.delivered == 2)
        #expect(again.metadata.streamSequence == first.metadata.streamSequence)
        #expect(again.metadata.consumerSequence > first.metadata.consumerSequence)
        let waited = clock.now - requested
        #expect(waited >= .seconds(3), "delivered again by the ack wait, not before it: \(waited)")
        #expect(Self.texts([again]) == ["order 1"])

        // max_deliver is 2: left unacknowledged again, it is not delivered a third time.
        try await Task.sleep(for: .milliseconds(3300))
        #expect(try await consumer.fetch(batch: 1, expires: .milliseconds(500)).isEmpty)
        await client.close()
    }

    @Test("nak delivers again (within the ack wait), term never again")
    func nakAndTerm() async throws {
        let server = try await NATSServerProcess.start()
        let (client, jetStream) = try await Self.prepare(server, messages: 2)
        _ = try await jetStream.ensureConsumer(
            ConsumerConfiguration(durableName: "logs", ackWait: .seconds(1)),
            on: "ORDERS"
        )
        let consumer = jetStream.pullConsumer(stream: "ORDERS", name: "logs")
        let deliveries = try await consumer.fetch(batch: 2, expires: .seconds(2))
        #expect(deliveries.count == 2)
        try await deliveries[0].nak()
        try await deliveries[1].term()
        // nats-server 2.9 hands a nak'ed message to a waiting pull request at its next ack-wait
        // check, not at once: wait past one.
        let again = try await consumer.fetch(batch: 1, expires: .seconds(3))
        #expect(Self.texts(again) == ["order 1"])
        let redelivered = try #require(again.first)
        #expect(redelivered.metadata.delivered == 2)
        try await redelivered.ack(confirmed: true)
        try await Task.sleep(for: .milliseconds(1300))
        #expect(try await consumer.fetch(batch: 2, expires: .milliseconds(500)).isEmpty)
        await client.close()
    }

    @Test("a durable consumer resumes where it left off on a new connection")
    func resumeAfterReconnect() async throws {
        let server = try await NATSServerProcess.start()
        let (client, jetStream) = try await Self.prepare(server, messages: 4)
        let configuration = ConsumerConfiguration(durableName: "billing", ackWait: .seconds(30))
        _ = try await jetStream.ensureConsumer(configuration, on: "ORDERS")
        let firstTwo = try await jetStream.pullConsumer(stream: "ORDERS", name: "billing").fetch(batch: 2)
        #expect(Self.texts(firstTwo) == ["order 1", "order 2"])
        for delivery in firstTwo {
            try await delivery.ack(confirmed: true)
        }
        await client.close()

        let again = try await TestSupport.connect(to: server)
        let resumed = JetStream(client: again)
        #expect(try await resumed.ensureConsumer(configuration, on: "ORDERS") == .unchanged)
        let rest = try await resumed.pullConsumer(stream: "ORDERS", name: "billing").fetch(
            batch: 10,
            expires: .milliseconds(500)
        )
        #expect(Self.texts(rest) == ["order 3", "order 4"])
        #expect(rest.map(\.metadata.streamSequence) == [3, 4])
        #expect(rest.map(\.metadata.delivered) == [1, 1])
        await again.close()
    }

    @Test("the same Nats-Msg-Id published twice is stored and delivered once")
    func duplicateMessageID() async throws {
        let server = try await NATSServerProcess.start()
        let (client, jetStream) = try await Self.prepare(server, messages: 0)
        let first = try await jetStream.publish("orders.new", payload: Array("a".utf8), messageID: "req_1")
        let second = try await jetStream.publish("orders.new", payload: Array("a again".utf8), messageID: "req_1")
        #expect(!first.duplicate && second.duplicate && second.sequence == first.sequence)
        _ = try await jetStream.ensureConsumer(ConsumerConfiguration(durableName: "billing"), on: "ORDERS")
        let deliveries = try await jetStream.pullConsumer(stream: "ORDERS", name: "billing").fetch(
            batch: 10,
            expires: .milliseconds(500)
        )
        #expect(Self.texts(deliveries) == ["a"])
        #expect(deliveries.first?.messageID == "req_1")
        await client.close()
    }

    @Test("a fetch with nothing to deliver returns empty: after expires, or at once with no_wait")
    func emptyFetch() async throws {
        let server = try await NATSServerProcess.start()
        let (client, jetStream) = try await Self.prepare(server, messages: 0)
        _ = try await jetStream.ensureConsumer(ConsumerConfiguration(durableName: "billing"), on: "ORDERS")
        let consumer = jetStream.pullConsumer(stream: "ORDERS", name: "billing")
        let clock = ContinuousClock()
        var started = clock.now
        #expect(try await consumer.fetch(batch: 5, expires: .milliseconds(700)).isEmpty)
        let waited = clock.now - started
        #expect(waited >= .milliseconds(600) && waited < .seconds(10), "\(waited)")

        started = clock.now
        #expect(try await consumer.fetchAvailable(batch: 5).isEmpty)
        #expect(clock.now - started < .seconds(5), "no expires was waited out")

        // What is there comes at once, without waiting for a full batch.
        for index in 1...2 {
            _ = try await jetStream.publish("orders.new", payload: Array("order \(index)".utf8), messageID: nil)
        }
        started = clock.now
        #expect(Self.texts(try await consumer.fetchAvailable(batch: 5)) == ["order 1", "order 2"])
        #expect(clock.now - started < .seconds(5), "no expires was waited out")
        await client.close()
    }

    @Test("a fetch from a consumer that does not exist times out, naming it, within expires and the timeout")
    func missingConsumer() async throws {
        let server = try await NATSServerProcess.start()
        let (client, jetStream) = try await Self.prepare(server, messages: 1)
        let clock = ContinuousClock()
        let started = clock.now
        let error = await TestSupport.error {
            _ = try await jetStream.pullConsumer(stream: "ORDERS", name: "nobody").fetch(batch: 1, expires: .seconds(1))
        }
        #expect(
            clock.now - started < .seconds(20),
            "bounded (the message names the 1 s of expires plus the 250 ms the fetch waits past it), not hung"
        )
        #expect(
            error
                == .timeout(
                    "no answer to the pull request for consumer nobody on stream ORDERS within 1.25 seconds; "
                        + "does the consumer exist?"
                )
        )
        await client.close()
    }
}
