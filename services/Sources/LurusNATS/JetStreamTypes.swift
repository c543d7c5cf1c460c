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
    case created
    case updated
    case unchanged
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
