/// A message for `JetStream.publish`; `messageID` goes in the Nats-Msg-Id header (JetStream
/// de-duplication).
public struct JetStreamMessage: Sendable, Equatable {
    public var subject: String
    public var payload: [UInt8]
    public var messageID: String?

    public init(subject: String, payload: [UInt8], messageID: String?) {
        self.subject = subject
        self.payload = payload
        self.messageID = messageID
    }
}

/// The acknowledgement of a JetStream publish.
public struct PublishAck: Sendable, Equatable {
    /// The stream that stored the message.
    public var stream: String
    /// The message's sequence number in the stream.
    public var sequence: UInt64
    /// Whether the stream had already stored a message with the same id (it kept the first).
    public var duplicate: Bool

    /// Creates an acknowledgement.
    public init(stream: String, sequence: UInt64, duplicate: Bool = false) {
        self.stream = stream
        self.sequence = sequence
        self.duplicate = duplicate
    }
}

/// What `JetStream.ensureStream` did.
public enum StreamEnsureResult: Sendable, Equatable {
    /// There was no such stream; it was created.
    case created
    /// The stream's configuration differed; it was updated.
    case updated
    /// The stream was already configured so.
    case unchanged
}

/// A stream's configuration (the fields this client manages) and counters.
public struct StreamDetails: Sendable, Equatable {
    /// The configuration as the server reports it.
    public var configuration: StreamConfiguration
    /// The counters.
    public var state: StreamState

    /// Creates a details value.
    public init(configuration: StreamConfiguration, state: StreamState) {
        self.configuration = configuration
        self.state = state
    }
}

/// The counters of a stream.
public struct StreamState: Sendable, Equatable {
    /// How many messages the stream holds.
    public var messages: UInt64
    /// How many bytes the stream's messages take.
    public var bytes: UInt64
    /// The sequence number of the oldest message held.
    public var firstSequence: UInt64
    /// The sequence number of the newest message stored.
    public var lastSequence: UInt64

    /// Creates a state value.
    public init(messages: UInt64, bytes: UInt64, firstSequence: UInt64, lastSequence: UInt64) {
        self.messages = messages
        self.bytes = bytes
        self.firstSequence = firstSequence
        self.lastSequence = lastSequence
    }
}
