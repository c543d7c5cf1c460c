import NIOConcurrencyHelpers
import NIOCore

/// The replies to requests written together: one suspended caller and one timer for all of them,
/// resumed when the last reply (or failure) is in.
final class NATSReplyBatch: Sendable {
    private struct State {
        var results: [Result<NATSMessage, NATSError>?]
        var remaining: Int
        var caller: CheckedContinuation<[Result<NATSMessage, NATSError>], Never>?
        var timer: Scheduled<Void>?
    }

    private typealias Finished = (
        caller: CheckedContinuation<[Result<NATSMessage, NATSError>], Never>,
        results: [Result<NATSMessage, NATSError>],
        timer: Scheduled<Void>?
    )

    private let state: NIOLockedValueBox<State>

    init(count: Int, caller: CheckedContinuation<[Result<NATSMessage, NATSError>], Never>) {
        self.state = NIOLockedValueBox(
            State(results: Array(repeating: nil, count: count), remaining: count, caller: caller)
        )
    }

    /// Keeps the batch's timeout timer to cancel it when done (cancels it now if already done).
    func attach(_ timer: Scheduled<Void>) {
        let done = self.state.withLockedValue { state in
            state.timer = timer
            return state.caller == nil
        }
        if done {
            timer.cancel()
        }
    }

    /// Records request `index`'s outcome (the first one counts); resumes the caller after the last.
    func complete(_ index: Int, with result: Result<NATSMessage, NATSError>) {
        let finished = self.state.withLockedValue { state -> Finished? in
            guard state.results[index] == nil else {
                return nil
            }
            state.results[index] = result
            state.remaining -= 1
            guard state.remaining == 0, let caller = state.caller else {
                return nil
            }
            state.caller = nil
            return (caller, state.results.compactMap { $0 }, state.timer)
        }
        guard let (caller, results, timer) = finished else {
            return
        }
        timer?.cancel()
        caller.resume(returning: results)
    }
}
