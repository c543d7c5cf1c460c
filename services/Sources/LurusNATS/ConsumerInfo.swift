/// What `JetStream.ensureConsumer` did.
public enum ConsumerEnsureResult: Sendable, Equatable {
    /// There was no such consumer; it was created.
    case created
    /// The consumer's configuration differed; it was updated.
    case updated
    /// The consumer was already configured so.
    case unchanged
}

/// A durable consumer's configuration (the fields this client manages) and progress.
public struct ConsumerInfo: Sendable, Equatable {
    /// A consumer sequence and the stream sequence of the same message.
    public struct Position: Sendable, Equatable {
        /// Counts deliveries by this consumer (redeliveries included).
        public var consumerSequence: UInt64
        /// The message's sequence in the stream.
        public var streamSequence: UInt64

        /// Creates a position.
        public init(consumerSequence: UInt64, streamSequence: UInt64) {
            self.consumerSequence = consumerSequence
            self.streamSequence = streamSequence
        }
    }

    /// The stream the consumer reads.
    public var stream: String
    /// The configuration as the server reports it.
    public var configuration: ConsumerConfiguration
    /// The last message delivered.
    public var delivered: Position
    /// Every message up to here is acknowledged.
    public var ackFloor: Position
    /// Messages delivered and not yet acknowledged.
    public var ackPending: Int
    /// Messages delivered more than once and not yet acknowledged.
    public var redelivered: Int
    /// Pull requests waiting for messages.
    public var waiting: Int
    /// Messages in the stream not yet delivered.
    public var pending: UInt64

    /// Creates an info value.
    public init(
        stream: String,
        configuration: ConsumerConfiguration,
        delivered: Position,
        ackFloor: Position,
        ackPending: Int,
        redelivered: Int,
        waiting: Int,
        pending: UInt64
    ) {
        self.stream = stream
        self.configuration = configuration
        self.delivered = delivered
        self.ackFloor = ackFloor
        self.ackPending = ackPending
        self.redelivered = redelivered
        self.waiting = waiting
        self.pending = pending
    }
}
