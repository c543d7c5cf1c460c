import Synchronization

/// Hands a value (a provider stream's iterator) to whichever task takes it first, exactly once.
final class Handoff<Value>: Sendable {
    private let slot: Mutex<Value?>

    init(_ value: sending Value) {
        self.slot = Mutex(value)
    }

    func take() -> Value? {
        self.slot.withLock { $0.take() }
    }
}
