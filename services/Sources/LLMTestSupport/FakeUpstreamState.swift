import Foundation
import Synchronization

/// The fake upstream's scripts, request log and fake provider/billing service answers.
public final class FakeUpstreamState: Sendable {
    struct Contents {
        var scripts: [String: [FakeStep]] = [:]
        var records: [FakeRequestRecord] = []
        var balances: [String: Bool] = [:]
        var billingDown = false
        var catalog: String?
        /// Bumped by reset, so an answer still being written cannot touch a later test's records.
        var generation = 0
    }

    private let contents = Mutex(Contents())

    public init() {}

    /// Queues steps for a provider.
    public func script(_ provider: String, _ steps: [FakeStep]) {
        self.contents.withLock { $0.scripts[provider, default: []].append(contentsOf: steps) }
    }

    /// Forgets scripts, records and fake-service settings.
    public func reset() {
        self.contents.withLock { contents in
            let generation = contents.generation + 1
            contents = Contents()
            contents.generation = generation
        }
    }

    /// The requests received so far.
    public var records: [FakeRequestRecord] {
        self.contents.withLock { $0.records }
    }

    func nextStep(for provider: String) -> FakeStep {
        self.contents.withLock { contents in
            guard var queue = contents.scripts[provider], !queue.isEmpty else { return .ok }
            let step = queue.removeFirst()
            contents.scripts[provider] = queue
            return step
        }
    }

    /// Logs a request; the returned ticket finishes it.
    func record(_ record: FakeRequestRecord) -> (generation: Int, index: Int) {
        self.contents.withLock { contents in
            contents.records.append(record)
            return (contents.generation, contents.records.count - 1)
        }
    }

    func finish(_ ticket: (generation: Int, index: Int), outcome: String) {
        self.contents.withLock { contents in
            guard contents.generation == ticket.generation, ticket.index < contents.records.count else { return }
            contents.records[ticket.index].outcome = outcome
        }
    }

    // MARK: Fake billing and provider services

    /// Sets whether a key may spend (unknown keys may).
    public func setBalance(key: String, allowed: Bool) {
        self.contents.withLock { $0.balances[key] = allowed }
    }

    /// Makes the fake billing service answer 503.
    public func setBillingDown(_ down: Bool) {
        self.contents.withLock { $0.billingDown = down }
    }

    func balance(key: String) -> (down: Bool, allowed: Bool) {
        self.contents.withLock { contents in
            (contents.billingDown, contents.balances[key] ?? true)
        }
    }

    /// The catalog the fake provider service serves (nil: it answers 503).
    public func setCatalog(_ json: String?) {
        self.contents.withLock { $0.catalog = json }
    }

    var catalog: String? {
        self.contents.withLock { $0.catalog }
    }
}
