import Synchronization

/// A durable JetStream pull consumer: fetch a batch of messages, process them, acknowledge each.
///
/// Written by hand like the rest of this client (no Swift NATS client is available here): the
/// `$JS.API.CONSUMER.MSG.NEXT` pull protocol over a subscription of the fetch's own, its replies
/// read by `PullFetch`.
public struct PullConsumer: Sendable {
    /// The JetStream context the requests go through.
    public let jetStream: JetStream
    /// The stream the consumer reads.
    public let stream: String
    /// The consumer's durable name.
    public let name: String

    init(jetStream: JetStream, stream: String, name: String) {
        self.jetStream = jetStream
        self.stream = stream
        self.name = name
    }

    /// Fetches up to `batch` messages: returns as soon as `batch` have arrived, else when the
    /// server ends the request after `expires`, with what arrived (possibly nothing).
    ///
    /// Throws `timeout` when the server does not end the request within `expires` and the
    /// context's timeout (nats-server 2.9 never answers a pull request to a consumer that does
    /// not exist), and any failure before a message arrived (the consumer deleted, the
    /// connection closed).
    public func fetch(batch: Int, expires: Duration = .seconds(5)) async throws(NATSError) -> [JetStreamDelivery] {
        guard expires > .zero else {
            throw .protocolViolation("a fetch's expires must be positive, not \(expires)")
        }
        return try await self.fetch(batch: batch, expires: expires, noWait: false)
    }

    /// Fetches up to `batch` of the messages available now, without waiting for more (`no_wait`):
    /// the server answers at once, with nothing when there is nothing.
    public func fetchAvailable(batch: Int) async throws(NATSError) -> [JetStreamDelivery] {
        // With no_wait, nats-server 2.9 still waits out an expires: send none.
        try await self.fetch(batch: batch, expires: nil, noWait: true)
    }

    /// How long past its expiry a fetch waits for the server's 408.
    static let expiryGrace = Duration.milliseconds(250)

    /// How long a fetch waits in all: `expires` and a little (at most the API timeout); without
    /// `expires` (`no_wait`, answered at once), the API timeout.
    static func localDeadline(expires: Duration?, timeout: Duration) -> Duration {
        expires.map { $0 + min(timeout, Self.expiryGrace) } ?? timeout
    }

    private func fetch(batch: Int, expires: Duration?, noWait: Bool) async throws(NATSError) -> [JetStreamDelivery] {
        guard batch > 0 else {
            throw .protocolViolation("a fetch's batch must be at least 1, not \(batch)")
        }
        let client = self.jetStream.client
        let fetch = PullFetch(stream: self.stream, consumer: self.name, batch: batch)
        let inbox = client.makeInbox()
        let subscription = try await client.subscribe(inbox)
        do {
            try await client.publish(
                fetch.requestSubject,
                payload: PullFetch.requestBody(batch: batch, expires: expires, noWait: noWait),
                replyTo: inbox
            )
        } catch {
            await subscription.unsubscribe()
            throw error
        }
        // The server ends an expired request with a 408, but nats-server before 2.9.15 (Debian 12's 2.9)
        // sometimes drops it (nats-server#3942, an expired request removed without its timeout): wait a
        // little past the expiry, not a whole API timeout, so that a fetch never takes 2 s longer than asked.
        // Nothing is lost: an expired request gets no more messages, and what it got is read (`collect`).
        let limit = Self.localDeadline(expires: expires, timeout: self.jetStream.timeout)
        let result = await Self.collect(
            fetch,
            from: subscription,
            client: client,
            within: limit,
            timeout: self.jetStream.timeout
        )
        await subscription.unsubscribe()
        return try result.get().map { JetStreamDelivery(message: $0.message, metadata: $0.metadata, client: client) }
    }

    /// Reads the fetch's inbox until the fetch is over or `limit` has passed. At the deadline, a PING
    /// round trip first makes sure every message the server sent before it has arrived, and those are
    /// kept (the subscription ends after them): a delivery the client dropped would wait out the
    /// consumer's ack wait before it came again.
    private static func collect(
        _ fetch: PullFetch,
        from subscription: NATSSubscription,
        client: NATSClient,
        within limit: Duration,
        timeout: Duration
    ) async -> Result<[PullFetch.Delivery], NATSError> {
        let deadlinePassed = DeadlineFlag()
        return await withTaskGroup(of: Result<[PullFetch.Delivery], NATSError>?.self) { group in
            group.addTask {
                var fetch = fetch
                for await message in subscription {
                    if fetch.receive(message) { break }
                }
                // Without a status, the sequence ended: the deadline passed or the connection closed.
                let unanswered = NATSError.timeout(
                    "no answer to the pull request for consumer \(fetch.consumer) on stream \(fetch.stream) "
                        + "within \(limit); does the consumer exist?"
                )
                let late = deadlinePassed.value.load(ordering: .acquiring)
                return fetch.result(ifOpen: .failed(late ? unanswered : .connectionClosed))
            }
            group.addTask {
                guard (try? await Task.sleep(for: limit)) != nil else { return nil }
                deadlinePassed.value.store(true, ordering: .releasing)
                try? await client.flush(timeout: timeout)
                await subscription.unsubscribe()
                return nil
            }
            var answer: Result<[PullFetch.Delivery], NATSError>?
            for await result in group {
                if let result {
                    answer = result
                    group.cancelAll()
                }
            }
            return answer ?? .success([])
        }
    }
}

/// Whether a fetch's local deadline has passed (set by its timer, read by its reader).
private final class DeadlineFlag: Sendable {
    let value = Atomic<Bool>(false)
}
