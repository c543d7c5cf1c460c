import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import Synchronization
import Tracing

/// A provider's answer, gathered on its connection's event loop as the connection reads it.
///
/// AsyncHTTPClient's async response body hands the parts over through a back-pressured sequence in
/// small batches, one task wake-up per batch. This delegate keeps each part as it arrives, and the
/// reader takes everything gathered at each wake-up: what one socket read brought leaves in one
/// client write. In the benchmark this took about 0.15 ms off a streamed answer (doc/gateway.md).
///
/// One reader at a time. A reader that stops before the end calls `cancel()`, which drops the
/// provider's request; cancelling the reader's task while it waits does the same.
final class UpstreamStream: HTTPClientResponseDelegate {
    typealias Response = Void

    /// Past this many unread bytes the connection stops reading until the reader takes them.
    let highWater: Int

    private struct State {
        var head: HTTPResponseHead?
        var bytes = ByteBuffer()
        var end: Result<Void, any Error>?
        /// Counts changes, so a reader waits only if nothing changed since it looked.
        var version = 0
        var waiter: CheckedContinuation<Void, Never>?
        /// Completed when the reader takes the bytes; the connection reads on then.
        var paused: EventLoopPromise<Void>?
        var task: HTTPClient.Task<Void>?
        var cancelled = false
    }

    private let state = Mutex(State())
    /// The client span of this provider call, ended with the answer.
    private let span: (any Span)?

    init(span: (any Span)?, highWater: Int = 1 << 20) {
        self.span = span
        self.highWater = highWater
    }

    /// Ties the running request to this stream, so `cancel()` can drop it.
    func attach(_ task: HTTPClient.Task<Void>) {
        let cancelNow = self.state.withLock { state in
            state.task = task
            return state.cancelled
        }
        if cancelNow { task.cancel() }
    }

    // MARK: Reading

    /// Waits for the provider's status and headers.
    func head() async throws -> HTTPResponseHead {
        while true {
            let (outcome, version) = self.state.withLock { state -> (Result<HTTPResponseHead, any Error>?, Int) in
                if let head = state.head { return (.success(head), state.version) }
                if case .failure(let error) = state.end { return (.failure(error), state.version) }
                if state.end != nil { return (.failure(HTTPClientError.remoteConnectionClosed), state.version) }
                return (nil, state.version)
            }
            if let outcome { return try outcome.get() }
            await self.wait(since: version)
        }
    }

    /// Everything that arrived since the last call, waiting until something has; nil once the
    /// answer is complete. A transport error is thrown once the bytes before it have been taken.
    func next() async throws -> ByteBuffer? {
        while true {
            let (outcome, version, paused) = self.state.withLock {
                state -> (Result<ByteBuffer?, any Error>?, Int, EventLoopPromise<Void>?) in
                if state.bytes.readableBytes > 0 {
                    let bytes = state.bytes
                    state.bytes = ByteBuffer()
                    return (.success(bytes), state.version, state.paused.take())
                }
                switch state.end {
                case .success: return (.success(nil), state.version, nil)
                case .failure(let error): return (.failure(error), state.version, nil)
                case nil: return (nil, state.version, nil)
                }
            }
            paused?.succeed()
            if let outcome { return try outcome.get() }
            await self.wait(since: version)
        }
    }

    /// The whole answer; past `limit` bytes the request is dropped and this throws.
    func collect(upTo limit: Int) async throws -> ByteBuffer {
        var all = ByteBuffer()
        while var bytes = try await self.next() {
            guard all.readableBytes + bytes.readableBytes <= limit else {
                self.cancel()
                throw AnswerTooLarge(limit: limit)
            }
            all.writeBuffer(&bytes)
        }
        return all
    }

    /// Drops the provider's request if it is still running; nothing once the answer is complete.
    func cancel() {
        let task = self.state.withLock { state in
            state.cancelled = true
            return state.end == nil ? state.task : nil
        }
        task?.cancel()
    }

    private func wait(since version: Int) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let stored = self.state.withLock { state in
                    guard state.version == version else { return false }
                    state.waiter = continuation
                    return true
                }
                if !stored { continuation.resume() }
            }
        } onCancel: {
            // The request fails as cancelled, which ends the answer and wakes the reader.
            self.cancel()
        }
    }

    // MARK: Delegate (on the connection's event loop)

    func didReceiveHead(task: HTTPClient.Task<Void>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        self.span?.attributes["http.response.status_code"] = Int(head.status.code)
        self.changed { $0.head = head }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Void>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        var paused: EventLoopFuture<Void>?
        self.changed { state in
            if state.bytes.readableBytes == 0 {
                state.bytes = buffer
            } else {
                var buffer = buffer
                state.bytes.writeBuffer(&buffer)
            }
            if state.bytes.readableBytes >= self.highWater {
                let promise = task.eventLoop.makePromise(of: Void.self)
                state.paused = promise
                paused = promise.futureResult
            }
        }
        return paused ?? task.eventLoop.makeSucceededVoidFuture()
    }

    func didFinishRequest(task: HTTPClient.Task<Void>) throws {
        self.ended(.success(()))
    }

    func didReceiveError(task: HTTPClient.Task<Void>, _ error: any Error) {
        self.ended(.failure(error))
    }

    private func ended(_ result: Result<Void, any Error>) {
        var first = false
        var paused: EventLoopPromise<Void>?
        self.changed { state in
            guard state.end == nil else { return }
            first = true
            state.end = result
            paused = state.paused.take()
        }
        paused?.succeed()
        guard first, let span = self.span else { return }
        if case .failure(let error) = result { span.recordError(error) }
        span.end()
    }

    /// Applies a change and wakes the reader.
    private func changed(_ change: (inout State) -> Void) {
        let waiter = self.state.withLock { state in
            change(&state)
            state.version += 1
            return state.waiter.take()
        }
        waiter?.resume()
    }
}

/// A provider's answer was larger than the gateway reads.
struct AnswerTooLarge: Error, CustomStringConvertible {
    let limit: Int
    var description: String { "the answer is larger than \(self.limit) bytes" }
}
