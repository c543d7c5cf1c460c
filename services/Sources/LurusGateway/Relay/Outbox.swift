import Synchronization

/// Bytes read from a provider's stream and not yet written to the client.
///
/// The reader appends as chunks arrive; the writer takes everything gathered at once. Chunks that
/// arrived together (one read) leave in one write, and none waits for a later one.
final class Outbox: Sendable {
    private let state = Mutex<(bytes: [UInt8], closed: Bool)>(([], false))
    /// One pending signal at most: the writer takes all bytes per wake-up.
    let signals: AsyncStream<Void>
    private let signal: AsyncStream<Void>.Continuation

    init() {
        (self.signals, self.signal) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    func append(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        self.state.withLock { $0.bytes += bytes }
        self.signal.yield()
    }

    /// The reader is done: nothing more will be appended.
    func close() {
        self.state.withLock { $0.closed = true }
        self.signal.yield()
        self.signal.finish()
    }

    /// Everything gathered so far, and whether the reader is done.
    func takeAll() -> (bytes: [UInt8], closed: Bool) {
        self.state.withLock { state in
            defer { state.bytes = [] }
            return (state.bytes, state.closed)
        }
    }
}
