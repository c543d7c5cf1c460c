// Why this exists: no Swift NATS client is in the package set this project can build against,
// so this is a minimal one on SwiftNIO. It implements only what the services need: one
// connection with user/password auth, publish (with headers), subscribe, request/reply over a
// shared inbox, flush, a few JetStream API calls, and durable pull consumers with explicit
// acknowledgement (`PullConsumer`). No TLS, no reconnect, no clustering.

import Logging
import NIOCore
import NIOPosix

/// One connection to a NATS server. No automatic reconnect: the caller makes a new client when
/// this one closes.
public final class NATSClient: Sendable {
    /// The version sent in `CONNECT`.
    public static let version = "0.1.0"

    let channel: any Channel
    let connection: NATSConnection
    let configuration: NATSConfiguration
    let logger: Logger

    init(
        channel: any Channel,
        connection: NATSConnection,
        configuration: NATSConfiguration,
        logger: Logger
    ) {
        self.channel = channel
        self.connection = connection
        self.configuration = configuration
        self.logger = logger
    }

    deinit {
        self.channel.close(promise: nil)
    }

    /// Whether the connection is open and the handshake done.
    public var isConnected: Bool {
        self.connection.phase == .connected
    }

    /// What the server said about itself in its latest `INFO`.
    public var serverInfo: NATSServerInfo? {
        self.connection.serverInfo
    }

    /// Publishes a message; returns once it is written to the socket.
    public func publish(
        _ subject: String,
        payload: [UInt8],
        headers: [String: String] = [:],
        replyTo: String? = nil
    ) async throws(NATSError) {
        let operation = try self.makePublish(
            subject,
            payload: payload,
            headers: headers,
            replyTo: replyTo
        )
        try await self.send(operation)
    }

    /// Publishes messages in one write; returns once they are written to the socket. None is sent when
    /// one fails validation. What a batch consumer's acknowledgements take: one write and one flush
    /// instead of one per message.
    public func publish(_ messages: [NATSRequest]) async throws(NATSError) {
        var bytes = ByteBuffer()
        for message in messages {
            let operation = try self.makePublish(
                message.subject,
                payload: message.payload,
                headers: message.headers,
                replyTo: nil
            )
            NATSProtocolEncoder.encode(operation, into: &bytes)
        }
        guard bytes.readableBytes > 0 else { return }
        try await self.write(bytes)
    }

    /// Subscribes to `subject`; returns once the server has the subscription.
    ///
    /// Messages are buffered without limit until read. Cancelling the task that iterates the
    /// subscription unsubscribes, as does `unsubscribe()`.
    public func subscribe(
        _ subject: String,
        queueGroup: String? = nil
    ) async throws(NATSError) -> NATSSubscription {
        try NATSValidation.token(subject, role: "subject")
        if let queueGroup {
            try NATSValidation.token(queueGroup, role: "queue group")
        }
        let (stream, continuation) = AsyncStream.makeStream(of: NATSMessage.self)
        guard let sid = self.connection.addSubscription(continuation) else {
            throw .connectionClosed
        }
        continuation.onTermination = { [connection, channel] _ in
            if connection.removeSubscription(sid) != nil {
                channel.writeAndFlush(
                    NATSProtocolEncoder.encode(.unsub(sid: sid, maxMessages: nil)),
                    promise: nil
                )
            }
        }
        do {
            try await self.send(.sub(subject: subject, queueGroup: queueGroup, sid: sid))
            try await self.flush()
        } catch {
            await self.unsubscribe(sid: sid)
            throw error
        }
        return NATSSubscription(subject: subject, sid: sid, stream: stream, client: self)
    }

    /// Sends a request and waits for the first reply.
    ///
    /// Replies come to one inbox subscription shared by all requests, so many can be in flight.
    /// Throws `noResponders` when nobody subscribes to `subject`, `timeout` after `timeout`
    /// (default `requestTimeout`) or when the calling task is cancelled.
    public func request(
        _ subject: String,
        payload: [UInt8],
        headers: [String: String] = [:],
        timeout: Duration? = nil
    ) async throws(NATSError) -> NATSMessage {
        let replies = await self.requests(
            [NATSRequest(subject: subject, payload: payload, headers: headers)],
            timeout: timeout
        )
        return try replies[0].get()
    }

    /// Sends requests in one write and waits for every reply; one outcome per request, in order.
    ///
    /// One write and one timer serve them all, so a batch costs the server and this client far
    /// less than as many single requests. Each outcome fails as `request` would; one that fails
    /// validation is not sent.
    public func requests(
        _ batch: [NATSRequest],
        timeout: Duration? = nil
    ) async -> [Result<NATSMessage, NATSError>] {
        var outcomes = [Result<NATSMessage, NATSError>?](repeating: nil, count: batch.count)
        var bytes = ByteBuffer()
        var sent: [(token: UInt64, subject: String, index: Int)] = []
        for (index, request) in batch.enumerated() {
            let token = self.connection.makeID()
            do {
                let operation = try self.makePublish(
                    request.subject,
                    payload: request.payload,
                    headers: request.headers,
                    replyTo: self.connection.inboxPrefix + String(token)
                )
                NATSProtocolEncoder.encode(operation, into: &bytes)
                sent.append((token, request.subject, index))
            } catch {
                outcomes[index] = .failure(error)
            }
        }
        if !sent.isEmpty {
            let replies = await self.send(sent, bytes: bytes, timeout: timeout ?? self.configuration.requestTimeout)
            for (request, reply) in zip(sent, replies) {
                outcomes[request.index] = reply
            }
        }
        return outcomes.compactMap { $0 }
    }

    /// Writes encoded requests and waits for their replies, a timeout, a failed write or the
    /// calling task's cancellation.
    private func send(
        _ sent: [(token: UInt64, subject: String, index: Int)],
        bytes: ByteBuffer,
        timeout: Duration
    ) async -> [Result<NATSMessage, NATSError>] {
        let tokens = sent.map(\.token)
        let what = sent.count == 1 ? "request to \(sent[0].subject)" : "\(sent.count) requests"
        let connection = self.connection
        let channel = self.channel
        return await withTaskCancellationHandler {
            await withCheckedContinuation { caller in
                let batch = NATSReplyBatch(count: sent.count, caller: caller)
                let registered = connection.registerRequests(
                    sent.enumerated().map { ($1.token, $1.subject, $0) },
                    batch: batch
                )
                guard registered else {
                    for index in sent.indices { batch.complete(index, with: .failure(.connectionClosed)) }
                    return
                }
                guard !Task.isCancelled else {
                    connection.failRequests(tokens, with: .timeout("\(what) cancelled"))
                    return
                }
                batch.attach(
                    channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
                        connection.failRequests(tokens, with: .timeout("no reply to \(what) within \(timeout)"))
                    }
                )
                channel.writeAndFlush(bytes).whenFailure { _ in
                    connection.failRequests(tokens, with: .connectionClosed)
                }
            }
        } onCancel: {
            connection.failRequests(tokens, with: .timeout("\(what) cancelled"))
        }
    }

    /// A fresh subject for a subscription of its own that receives replies (a pull request's
    /// messages): under this connection's inbox prefix but outside the shared request inbox.
    public func makeInbox() -> String {
        self.connection.inboxPrefix + "sub.\(self.connection.makeID())"
    }

    /// Waits until the server has processed everything sent before (a `PING`/`PONG` round trip).
    public func flush(timeout: Duration? = nil) async throws(NATSError) {
        let deadline = NIODeadline.now() + TimeAmount(timeout ?? self.configuration.requestTimeout)
        try await self.roundTrip(deadline: deadline, what: "flush").get()
    }

    /// Closes the connection and returns once it is closed; pending operations fail with
    /// `connectionClosed`.
    public func close() async {
        self.connection.requestClose()
        self.channel.close(promise: nil)
        await self.connection.waitUntilClosed()
    }

    /// Returns when the connection has closed (server gone, error, or close()), or when the
    /// calling task is cancelled.
    public func waitUntilClosed() async {
        await self.connection.waitUntilClosed()
    }

    // MARK: Internals

    /// Removes subscription `sid`, tells the server and finishes its sequence.
    func unsubscribe(sid: UInt64) async {
        guard let continuation = self.connection.removeSubscription(sid) else {
            return
        }
        try? await self.send(.unsub(sid: sid, maxMessages: nil))
        continuation.finish()
    }

    private func send(_ operation: NATSClientOperation) async throws(NATSError) {
        try await self.write(NATSProtocolEncoder.encode(operation))
    }

    /// Writes and flushes encoded operations; a closed connection or a failed write is `connectionClosed`.
    private func write(_ bytes: ByteBuffer) async throws(NATSError) {
        guard self.connection.phase == .connected else {
            throw .connectionClosed
        }
        do {
            try await self.channel.writeAndFlush(bytes).get()
        } catch {
            throw .connectionClosed
        }
    }

    private func makePublish(
        _ subject: String,
        payload: [UInt8],
        headers: [String: String],
        replyTo: String?
    ) throws(NATSError) -> NATSClientOperation {
        try NATSValidation.token(subject, role: "subject")
        if let replyTo {
            try NATSValidation.token(replyTo, role: "reply subject")
        }
        let operation: NATSClientOperation
        var size = payload.count
        if headers.isEmpty {
            operation = .pub(subject: subject, replyTo: replyTo, payload: payload)
        } else {
            for (name, value) in headers {
                try NATSValidation.header(name: name, value: value)
            }
            let block = NATSHeaderBlock(headers: headers.mapValues { [$0] })
            size += block.encoded.utf8.count
            operation = .hpub(subject: subject, replyTo: replyTo, headers: block, payload: payload)
        }
        if let maxPayload = self.connection.serverInfo?.maxPayload, size > maxPayload {
            throw .protocolViolation(
                "message of \(size) bytes exceeds the server's max_payload of \(maxPayload) bytes"
            )
        }
        return operation
    }

    /// Sends a `PING` and waits for its `PONG` until `deadline`.
    func roundTrip(deadline: NIODeadline, what: String) async -> Result<Void, NATSError> {
        let id = self.connection.makeID()
        let connection = self.connection
        let channel = self.channel
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (reply: NATSReply<Void>) in
                guard connection.registerPing(id: id, reply: reply) else {
                    reply.resume(returning: .failure(.connectionClosed))
                    return
                }
                let timer = channel.eventLoop.scheduleTask(deadline: deadline) {
                    connection.completePing(id: id, with: .failure(.timeout("no PONG for \(what)")))
                }
                connection.attach(timer, toPing: id)
                if Task.isCancelled {
                    connection.completePing(id: id, with: .failure(.timeout("\(what) cancelled")))
                }
                channel.writeAndFlush(NATSProtocolEncoder.encode(.ping)).whenFailure { _ in
                    connection.completePing(id: id, with: .failure(.connectionClosed))
                }
            }
        } onCancel: {
            connection.completePing(id: id, with: .failure(.timeout("\(what) cancelled")))
        }
    }
}
