/// A message a pull consumer delivered, with what its reply subject says and the way to answer it.
///
/// Answer every delivery: `ack` once it is processed (after the commit, for exactly-once effects
/// with an idempotent write), `nak` to have it again, `term` when it can never be processed.
/// One left unanswered is delivered again after the consumer's ack wait.
public struct JetStreamDelivery: Sendable {
    /// The message as the stream stored it (subject, headers, payload); `replyTo` is the
    /// acknowledgement subject.
    public let message: NATSMessage
    /// The delivery count, sequences and pending count from the reply subject.
    public let metadata: JetStreamAckMetadata
    private let client: NATSClient

    init(message: NATSMessage, metadata: JetStreamAckMetadata, client: NATSClient) {
        self.message = message
        self.metadata = metadata
        self.client = client
    }

    /// The message's body.
    public var payload: [UInt8] { self.message.payload }

    /// The publisher's `Nats-Msg-Id`, if it gave one.
    public var messageID: String? { self.message.header("Nats-Msg-Id") }

    /// Acknowledges the message; with `confirmed`, waits until the server has recorded it.
    public func ack(confirmed: Bool = false) async throws(NATSError) {
        try await self.answer(.ack, confirmed: confirmed)
    }

    /// Acknowledges deliveries in one write per connection (unconfirmed): after a batch's commit, ten
    /// thousand acknowledgements cost one write instead of ten thousand.
    public static func ack(_ deliveries: [JetStreamDelivery]) async throws(NATSError) {
        var byClient: [ObjectIdentifier: (client: NATSClient, acks: [NATSRequest])] = [:]
        for delivery in deliveries {
            guard let replyTo = delivery.message.replyTo else {
                throw .protocolViolation("a delivery has no reply subject to acknowledge to")
            }
            byClient[ObjectIdentifier(delivery.client), default: (delivery.client, [])].acks.append(
                NATSRequest(subject: replyTo, payload: AckKind.ack.payload)
            )
        }
        for (client, acks) in byClient.values {
            try await client.publish(acks)
        }
    }

    /// Asks for the message again, after `delay` when given.
    public func nak(delay: Duration? = nil) async throws(NATSError) {
        try await self.answer(.nak(delay: delay), confirmed: false)
    }

    /// Gives the message up for good: it is not delivered again.
    public func term() async throws(NATSError) {
        try await self.answer(.term, confirmed: false)
    }

    /// Restarts the message's ack wait, for work that takes longer than it.
    public func inProgress() async throws(NATSError) {
        try await self.answer(.inProgress, confirmed: false)
    }

    /// Sends `kind` to the reply subject. Unconfirmed, it returns once written to the socket;
    /// confirmed, once the server answers (it does when the answer carries a reply subject).
    public func answer(_ kind: AckKind, confirmed: Bool, timeout: Duration? = nil) async throws(NATSError) {
        guard let replyTo = self.message.replyTo else {
            throw .protocolViolation("the delivery has no reply subject to acknowledge to")
        }
        if confirmed {
            _ = try await self.client.request(replyTo, payload: kind.payload, timeout: timeout)
        } else {
            try await self.client.publish(replyTo, payload: kind.payload)
        }
    }
}
