/// The part of a durable pull consumer's configuration this client manages.
///
/// Acknowledgement is always explicit: each message must be acked (or nak'ed, or terminated),
/// else it is delivered again `ackWait` after its delivery, up to `maxDeliver` times. Everything
/// else takes the server's defaults (instant replay, 512 waiting pull requests).
public struct ConsumerConfiguration: Sendable, Equatable {
    /// Where in the stream a new consumer starts.
    public enum DeliverPolicy: String, Sendable, Equatable {
        /// With the oldest message the stream holds.
        case all
        /// With the newest message the stream holds.
        case last
        /// With the first message stored after the consumer is created.
        case new
    }

    /// The consumer's name, which survives reconnects and restarts: no dots, wildcards or
    /// whitespace.
    public var durableName: String
    /// Only messages on this subject (wildcards allowed); nil for the whole stream.
    public var filterSubject: String?
    /// Where a new consumer starts.
    public var deliverPolicy: DeliverPolicy
    /// How long a delivered message may go unacknowledged before it is delivered again.
    public var ackWait: Duration
    /// How many times a message is delivered at most, or -1 for no limit.
    public var maxDeliver: Int
    /// How many messages may be delivered and not yet acknowledged at once.
    public var maxAckPending: Int

    /// Creates a configuration.
    public init(
        durableName: String,
        filterSubject: String? = nil,
        deliverPolicy: DeliverPolicy = .all,
        ackWait: Duration = .seconds(30),
        maxDeliver: Int = -1,
        maxAckPending: Int = 1000
    ) {
        self.durableName = durableName
        self.filterSubject = filterSubject
        self.deliverPolicy = deliverPolicy
        self.ackWait = ackWait
        self.maxDeliver = maxDeliver
        self.maxAckPending = maxAckPending
    }
}
