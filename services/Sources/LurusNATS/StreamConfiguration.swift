import NIOCore

/// The part of a JetStream stream's configuration this client manages.
///
/// Everything else takes the server's defaults: limits retention, discard old, one replica.
public struct StreamConfiguration: Sendable, Equatable {
    /// Where a stream keeps its messages.
    public enum Storage: String, Sendable, Equatable {
        /// On disk: survives a server restart.
        case file
        /// In memory: lost on a server restart.
        case memory
    }

    /// The stream's name: no dots, wildcards or whitespace.
    public var name: String
    /// The subjects whose messages the stream stores.
    public var subjects: [String]
    /// How long messages are kept; zero keeps them until another limit applies.
    public var maxAge: Duration
    /// Where messages are kept.
    public var storage: Storage
    /// How long message ids are remembered for de-duplication; at most `maxAge` when that is set.
    public var duplicateWindow: Duration
    /// The most bytes kept, or -1 for no limit.
    public var maxBytes: Int64
    /// The most messages kept, or -1 for no limit.
    public var maxMessages: Int64

    /// Creates a configuration.
    public init(
        name: String,
        subjects: [String],
        maxAge: Duration = .zero,
        storage: Storage = .file,
        duplicateWindow: Duration = .seconds(120),
        maxBytes: Int64 = -1,
        maxMessages: Int64 = -1
    ) {
        self.name = name
        self.subjects = subjects
        self.maxAge = maxAge
        self.storage = storage
        self.duplicateWindow = duplicateWindow
        self.maxBytes = maxBytes
        self.maxMessages = maxMessages
    }
}

extension Duration {
    /// The duration in whole nanoseconds (clamped), as JetStream's JSON writes durations.
    var jetStreamNanoseconds: Int64 {
        TimeAmount(self).nanoseconds
    }
}
