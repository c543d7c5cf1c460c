import Synchronization

/// Replies built once per distinct request shape. The fake's answers depend only on what was asked,
/// and building one with Foundation's JSON writer (sorted keys) costs more CPU than the gateway's
/// whole relay of it; in the benchmark the fake shares the machine's cores with the gateway, so that
/// cost would show up as the gateway's.
final class FakeReplyCache: Sendable {
    static let shared = FakeReplyCache()
    /// Enough for every shape the tests and the benchmark ask for; past it the cache starts over.
    private static let limit = 4096
    private let replies = Mutex<[[String]: [String]]>([:])

    /// The reply stored under `key`, built by `make` the first time.
    func reply(_ key: [String], make: () -> [String]) -> [String] {
        if let reply = self.replies.withLock({ $0[key] }) { return reply }
        let reply = make()
        self.replies.withLock { replies in
            if replies.count >= Self.limit { replies.removeAll() }
            replies[key] = reply
        }
        return reply
    }

    func reply(_ key: [String], make: () -> String) -> String {
        self.reply(key) { [make()] }[0]
    }
}
