/// Runs clean-up that must finish even when the caller was cancelled (a second Ctrl-C): closing SSH
/// masters, releasing the cluster lock, writing the audit record. A cancelled task would cancel the
/// remote calls of its clean-up too, so `work` runs in a task of its own, which does not inherit
/// cancellation, and the caller waits for it. The one place that escapes cancellation on purpose.
public func shieldedFromCancellation<Result: Sendable>(
    _ work: @escaping @Sendable () async -> Result
) async -> Result {
    await Task { await work() }.value
}
