import Foundation

/// Why the cluster lock could not be taken or read.
public enum LockError: Error, Sendable, CustomStringConvertible {
    /// Someone else holds the lock on `node` (the holder is nil when its `holder.json` is missing or
    /// unreadable); `waited` is how long this run waited for it, if it did.
    case held(LockHolder?, node: String, waited: Duration?)
    /// `release` found the lock held by someone else, and left it.
    case notOurs(LockHolder, node: String)
    /// The lock script failed on `node` (a full disk, a read-only `/var/lib`).
    case failed(node: String, message: String)

    public var description: String {
        switch self {
        case .held(let holder, let node, let waited):
            let prefix =
                waited.map { "still locked after waiting \(LocalMachine.age(Double($0.components.seconds))): " } ?? ""
            guard let holder, holder != .unknown else {
                return prefix
                    + "the cluster is locked (\(ClusterLock.lockPath) on \(node)) by an unknown holder: it is being "
                    + "taken right now, or its holder.json is damaged. Wait and retry (e.g. --lock-wait 5m), or "
                    + "free it with `lurusctl lock release` if no run is under way"
            }
            let advice =
                holder.deadNote
                ?? "wait for it (e.g. --lock-wait 5m) or, if that run died, free it with `lurusctl lock release`"
            return prefix + "the cluster is locked on \(node) by \(holder.summary()), inventory \(holder.inventory); "
                + advice
        case .notOurs(let holder, let node):
            return "left the cluster lock on \(node) alone: it is no longer this run's but held by \(holder.summary())"
        case .failed(let node, let message):
            return "\(node): cannot use the cluster lock \(ClusterLock.lockPath): \(message)"
        }
    }
}
