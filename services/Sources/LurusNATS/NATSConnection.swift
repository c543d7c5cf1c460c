import Logging
import NIOConcurrencyHelpers
import NIOCore

/// A suspended caller waiting for a result.
typealias NATSReply<Value: Sendable> = CheckedContinuation<Result<Value, NATSError>, Never>

/// The state of one connection, shared by the client and its channel handler.
///
/// It routes what the server sends to whoever waits for it, and fails every waiter when the
/// connection closes. It does no I/O itself: inbound operations may return a reply to send.
final class NATSConnection: Sendable {
    /// Where the connection is in its life.
    enum Phase: Sendable, Equatable {
        case handshaking
        case connected
        case closed
    }

    /// What the keep-alive timer should do.
    enum KeepaliveAction: Sendable, Equatable {
        case ping
        case idle
        case stale
    }

    /// What the channel handler should do after an inbound operation.
    enum InboundAction: Sendable, Equatable {
        case send(NATSClientOperation)
        case close
    }

    struct Waiter<Value: Sendable>: Sendable {
        var reply: NATSReply<Value>
        var timer: Scheduled<Void>?
    }

    /// A request waiting for its reply, which goes to the batch that sent it.
    struct PendingRequest: Sendable {
        var subject: String
        var batch: NATSReplyBatch
        var index: Int
    }

    struct State: Sendable {
        var phase = Phase.handshaking
        var info: NATSServerInfo?
        var infoWaiter: Waiter<NATSServerInfo>?
        var handshakeError: NATSError?
        /// Whether the client asked to close (so the close is no news worth a warning).
        var closeRequested = false
        /// Whether `CONNECT` is on the wire; until then, `PONG`s are owed, not sent.
        var connectSent = false
        var deferredPongs = 0
        /// One id per `PING` sent, in order; a `PONG` answers the first.
        var pongQueue = CircularBuffer<UInt64>()
        var pongWaiters: [UInt64: Waiter<Void>] = [:]
        var pingsOutstanding = 0
        var requests: [UInt64: PendingRequest] = [:]
        var subscriptions: [UInt64: AsyncStream<NATSMessage>.Continuation] = [:]
        var closeWaiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var keepalive: RepeatedTask?
        /// Ids for subscriptions, request tokens and waiters; 1 is the inbox subscription.
        var nextID: UInt64 = 2
    }

    /// The subscription id of the shared request inbox.
    static let inboxSID: UInt64 = 1

    /// The prefix of reply subjects, "_INBOX.<random>."; a request token follows it.
    let inboxPrefix: String
    private let logger: Logger
    let state = NIOLockedValueBox(State())

    init(inboxPrefix: String, logger: Logger) {
        self.inboxPrefix = inboxPrefix
        self.logger = logger
    }

    var phase: Phase {
        self.state.withLockedValue { $0.phase }
    }

    var serverInfo: NATSServerInfo? {
        self.state.withLockedValue { $0.info }
    }

    /// The error the server gave during the handshake (`-ERR`), if any.
    var handshakeError: NATSError? {
        self.state.withLockedValue { $0.handshakeError }
    }

    /// A fresh id for a subscription, a request or a waiter.
    func makeID() -> UInt64 {
        self.state.withLockedValue { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
    }

    // MARK: Inbound

    /// Handles one operation from the server; called on the channel's event loop.
    func receive(_ operation: NATSServerOperation) -> InboundAction? {
        switch operation {
        case .ping:
            // The server refuses anything before CONNECT: answer such a PING after it.
            let deferred = self.state.withLockedValue { state in
                if !state.connectSent {
                    state.deferredPongs += 1
                }
                return !state.connectSent
            }
            return deferred ? nil : .send(.pong)
        case .pong:
            let waiter = self.state.withLockedValue { state -> Waiter<Void>? in
                state.pingsOutstanding = 0
                guard let id = state.pongQueue.popFirst() else {
                    return nil
                }
                return state.pongWaiters.removeValue(forKey: id)
            }
            Self.resume(waiter, with: .success(()))
            return nil
        case .info(let json):
            return self.receiveInfo(json)
        case .msg(let sid, let message), .hmsg(let sid, let message):
            self.deliver(message, to: sid)
            return nil
        case .ok:
            return nil
        case .err(let message):
            return self.receiveError(message)
        }
    }

    private func receiveInfo(_ json: String) -> InboundAction? {
        let info: NATSServerInfo
        do {
            info = try NATSServerInfo(json: json)
        } catch {
            self.logger.error("NATS server sent a malformed INFO", metadata: ["error": "\(error)"])
            self.failHandshake(with: error)
            return .close
        }
        let waiter = self.state.withLockedValue { state in
            state.info = info
            defer { state.infoWaiter = nil }
            return state.infoWaiter
        }
        Self.resume(waiter, with: .success(info))
        return nil
    }

    private func receiveError(_ message: String) -> InboundAction? {
        guard self.phase == .handshaking else {
            self.logger.warning("NATS server error", metadata: ["error": "\(message)"])
            return nil
        }
        let lowered = message.lowercased()
        let isAuthorization =
            lowered.contains("authorization") || lowered.contains("authentication")
        self.failHandshake(
            with: isAuthorization ? .authorizationViolation(message) : .serverError(message)
        )
        return .close
    }

    private func deliver(_ message: NATSMessage, to sid: UInt64) {
        guard sid == Self.inboxSID else {
            let continuation = self.state.withLockedValue { $0.subscriptions[sid] }
            continuation?.yield(message)
            return
        }
        guard message.subject.hasPrefix(self.inboxPrefix),
            let token = UInt64(message.subject.dropFirst(self.inboxPrefix.count))
        else {
            return
        }
        guard let request = self.state.withLockedValue({ $0.requests.removeValue(forKey: token) })
        else {
            return  // The request timed out or was cancelled.
        }
        if message.status == 503 {
            request.batch.complete(request.index, with: .failure(.noResponders(request.subject)))
        } else {
            request.batch.complete(request.index, with: .success(message))
        }
    }

    private func failHandshake(with error: NATSError) {
        let (infoWaiter, pongWaiters) = self.state.withLockedValue { state in
            guard state.phase == .handshaking else {
                return (Waiter<NATSServerInfo>?.none, [Waiter<Void>]())
            }
            state.handshakeError = error
            defer {
                state.infoWaiter = nil
                state.pongWaiters = [:]
            }
            return (state.infoWaiter, Array(state.pongWaiters.values))
        }
        Self.resume(infoWaiter, with: .failure(error))
        for waiter in pongWaiters {
            Self.resume(waiter, with: .failure(error))
        }
    }

    /// Cancels the waiter's timer and resumes it with `result`; nothing when it is nil.
    static func resume<Value>(
        _ waiter: Waiter<Value>?,
        with result: Result<Value, NATSError>
    ) {
        guard let waiter else {
            return
        }
        waiter.timer?.cancel()
        waiter.reply.resume(returning: result)
    }

    // MARK: Closing

    /// Notes that the client closes the connection on purpose.
    func requestClose() {
        self.state.withLockedValue { $0.closeRequested = true }
    }

    /// Fails every waiter, finishes every subscription and wakes `waitUntilClosed` callers.
    func closed() {
        let taken = self.state.withLockedValue { state -> State? in
            guard state.phase != .closed else {
                return nil
            }
            let old = state
            state = State()
            state.phase = .closed
            state.info = old.info
            state.handshakeError = old.handshakeError
            state.closeRequested = old.closeRequested
            state.nextID = old.nextID
            return old
        }
        guard let taken else {
            return
        }
        let error =
            taken.phase == .handshaking
            ? (taken.handshakeError ?? .connectionClosed) : .connectionClosed
        taken.keepalive?.cancel()
        Self.resume(taken.infoWaiter, with: .failure(error))
        for waiter in taken.pongWaiters.values {
            Self.resume(waiter, with: .failure(error))
        }
        for request in taken.requests.values {
            request.batch.complete(request.index, with: .failure(.connectionClosed))
        }
        for continuation in taken.subscriptions.values {
            continuation.finish()
        }
        for waiter in taken.closeWaiters.values {
            waiter.resume()
        }
        if taken.phase == .connected, !taken.closeRequested {
            self.logger.info("NATS connection lost")
        } else {
            self.logger.debug("NATS connection closed")
        }
    }

    /// Returns once the connection has closed, or when the calling task is cancelled.
    func waitUntilClosed() async {
        let id = self.makeID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = self.state.withLockedValue { state in
                    guard state.phase != .closed, !Task.isCancelled else {
                        return true
                    }
                    state.closeWaiters[id] = continuation
                    return false
                }
                if resumeNow {
                    continuation.resume()
                }
            }
        } onCancel: {
            let continuation = self.state.withLockedValue {
                $0.closeWaiters.removeValue(forKey: id)
            }
            continuation?.resume()
        }
    }
}
