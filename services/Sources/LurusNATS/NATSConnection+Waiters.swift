import NIOCore

extension NATSConnection {
    // MARK: Handshake and keep-alive

    /// Waits for the server's first `INFO`, failing at `deadline`.
    func waitForInfo(
        on eventLoop: any EventLoop,
        deadline: NIODeadline
    ) async -> Result<NATSServerInfo, NATSError> {
        await withCheckedContinuation { reply in
            let early = self.state.withLockedValue { state -> Result<NATSServerInfo, NATSError>? in
                if let info = state.info {
                    return .success(info)
                }
                guard state.phase == .handshaking else {
                    return .failure(state.handshakeError ?? .connectionClosed)
                }
                state.infoWaiter = Waiter(reply: reply)
                return nil
            }
            if let early {
                reply.resume(returning: early)
                return
            }
            let timer = eventLoop.scheduleTask(deadline: deadline) {
                let waiter = self.state.withLockedValue { state in
                    defer { state.infoWaiter = nil }
                    return state.infoWaiter
                }
                Self.resume(waiter, with: .failure(.timeout("waiting for the server's INFO")))
            }
            let waiting = self.state.withLockedValue { state in
                state.infoWaiter?.timer = timer
                return state.infoWaiter != nil
            }
            if !waiting {
                timer.cancel()
            }
        }
    }

    /// Notes that `CONNECT` is written; returns how many server `PING`s await a `PONG`.
    func markConnectSent() -> Int {
        self.state.withLockedValue { state in
            state.connectSent = true
            defer { state.deferredPongs = 0 }
            return state.deferredPongs
        }
    }

    /// Marks the handshake done; false when the connection closed meanwhile.
    func markConnected() -> Bool {
        self.state.withLockedValue { state in
            guard state.phase == .handshaking else {
                return false
            }
            state.phase = .connected
            return true
        }
    }

    /// Keeps `task` to cancel it on close (cancels it now if already closed).
    func setKeepalive(_ task: RepeatedTask) {
        let closed = self.state.withLockedValue { state in
            state.keepalive = task
            return state.phase == .closed
        }
        if closed {
            task.cancel()
        }
    }

    /// Decides whether to send a keep-alive `PING`; registers it when so.
    func keepaliveTick(maxOutstanding: Int) -> KeepaliveAction {
        self.state.withLockedValue { state in
            guard state.phase == .connected else {
                return .idle
            }
            guard state.pingsOutstanding < maxOutstanding else {
                return .stale
            }
            state.pingsOutstanding += 1
            state.pongQueue.append(state.nextID)
            state.nextID += 1
            return .ping
        }
    }

    // MARK: Waiters

    /// Registers a `PING` about to be sent and its waiter; false when closed.
    func registerPing(id: UInt64, reply: NATSReply<Void>) -> Bool {
        self.state.withLockedValue { state in
            guard state.phase != .closed else {
                return false
            }
            state.pongQueue.append(id)
            state.pongWaiters[id] = Waiter(reply: reply)
            return true
        }
    }

    /// Cancels `timer` unless the `PONG` waiter `id` still waits, in which case it keeps it.
    func attach(_ timer: Scheduled<Void>, toPing id: UInt64) {
        let pending = self.state.withLockedValue { state in
            guard state.pongWaiters[id] != nil else {
                return false
            }
            state.pongWaiters[id]?.timer = timer
            return true
        }
        if !pending {
            timer.cancel()
        }
    }

    /// Resumes the waiter of `PING` `id` early; its `PONG` is still expected.
    func completePing(id: UInt64, with result: Result<Void, NATSError>) {
        let waiter = self.state.withLockedValue { $0.pongWaiters.removeValue(forKey: id) }
        Self.resume(waiter, with: result)
    }

    /// Registers the requests of `batch`, whose replies go to `inboxPrefix + token`; false when
    /// not connected.
    func registerRequests(_ requests: [(token: UInt64, subject: String, index: Int)], batch: NATSReplyBatch) -> Bool {
        self.state.withLockedValue { state in
            guard state.phase == .connected else {
                return false
            }
            for request in requests {
                state.requests[request.token] = PendingRequest(
                    subject: request.subject,
                    batch: batch,
                    index: request.index
                )
            }
            return true
        }
    }

    /// Finishes the requests `tokens` that still wait with `error` (timeout, cancellation, a
    /// failed write).
    func failRequests(_ tokens: [UInt64], with error: NATSError) {
        let pending = self.state.withLockedValue { state in
            tokens.compactMap { state.requests.removeValue(forKey: $0) }
        }
        for request in pending {
            request.batch.complete(request.index, with: .failure(error))
        }
    }

    // MARK: Subscriptions

    /// Adds a subscription and returns its id, or nil when not connected.
    func addSubscription(_ continuation: AsyncStream<NATSMessage>.Continuation) -> UInt64? {
        self.state.withLockedValue { state in
            guard state.phase == .connected else {
                return nil
            }
            let sid = state.nextID
            state.nextID += 1
            state.subscriptions[sid] = continuation
            return sid
        }
    }

    /// Removes subscription `sid`, returning its continuation if it was still there.
    func removeSubscription(_ sid: UInt64) -> AsyncStream<NATSMessage>.Continuation? {
        self.state.withLockedValue { $0.subscriptions.removeValue(forKey: sid) }
    }
}
