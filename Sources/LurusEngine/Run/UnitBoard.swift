import Synchronization

/// Where units of a run post how they ended, and where units wait for the ones they need, across nodes.
///
/// A unit that is not part of the run (its node or component was not selected) counts as done, so
/// `--on` and `--only` never wait for work that will not happen. A wait ends when its task is cancelled,
/// so a second Ctrl-C frees every unit still waiting.
final class UnitBoard: Sendable {
    private struct State {
        var results: [UnitID: UnitResult] = [:]
        var waiting: [UnitID: [(token: Int, continuation: CheckedContinuation<UnitResult?, Never>)]] = [:]
        var cancelled: Set<Int> = []
        var nextToken = 0
    }

    private let members: Set<UnitID>
    private let state = Mutex(State())

    init(members: Set<UnitID>) {
        self.members = members
    }

    func post(_ result: UnitResult) {
        let waiters = self.state.withLock { state in
            state.results[result.unit] = result
            return state.waiting.removeValue(forKey: result.unit) ?? []
        }
        for waiter in waiters { waiter.continuation.resume(returning: result) }
    }

    /// How `unit` ended, once it has; at once for a unit outside the run; nil when the task was cancelled
    /// while waiting.
    func result(of unit: UnitID) async -> UnitResult? {
        if !self.members.contains(unit) { return UnitResult(unit: unit, status: .unchanged) }
        let token = self.state.withLock { state in
            state.nextToken += 1
            return state.nextToken
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resume: UnitResult?? = self.state.withLock { state in
                    if let result = state.results[unit] { return .some(result) }
                    if state.cancelled.remove(token) != nil { return .some(nil) }
                    state.waiting[unit, default: []].append((token, continuation))
                    return nil
                }
                if let resume { continuation.resume(returning: resume) }
            }
        } onCancel: {
            let waiter: CheckedContinuation<UnitResult?, Never>? = self.state.withLock { state in
                if let index = state.waiting[unit]?.firstIndex(where: { $0.token == token }) {
                    return state.waiting[unit]!.remove(at: index).continuation
                }
                state.cancelled.insert(token)
                return nil
            }
            waiter?.resume(returning: nil)
        }
    }
}
