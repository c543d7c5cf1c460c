/// The messages of one subscription, in order; the sequence ends when the subscription or the
/// connection ends.
public struct NATSSubscription: AsyncSequence, Sendable {
    public typealias Element = NATSMessage
    public typealias Failure = Never

    /// The subject (possibly with wildcards) subscribed to.
    public let subject: String
    private let sid: UInt64
    private let stream: AsyncStream<NATSMessage>
    private let client: NATSClient

    init(subject: String, sid: UInt64, stream: AsyncStream<NATSMessage>, client: NATSClient) {
        self.subject = subject
        self.sid = sid
        self.stream = stream
        self.client = client
    }

    /// Ends the subscription: tells the server, and finishes the sequence.
    public func unsubscribe() async {
        await self.client.unsubscribe(sid: self.sid)
    }

    /// An iterator over the messages; a subscription is meant to be iterated once.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: self.stream.makeAsyncIterator())
    }

    /// Iterates the messages of a subscription.
    public struct AsyncIterator: AsyncIteratorProtocol {
        public typealias Element = NATSMessage
        public typealias Failure = Never

        private var base: AsyncStream<NATSMessage>.AsyncIterator

        init(base: AsyncStream<NATSMessage>.AsyncIterator) {
            self.base = base
        }

        /// The next message, or nil when the subscription has ended.
        public mutating func next() async -> NATSMessage? {
            await self.base.next()
        }

        /// The next message, or nil when the subscription has ended.
        public mutating func next(isolation actor: isolated (any Actor)?) async -> NATSMessage? {
            await self.base.next(isolation: actor)
        }
    }
}
