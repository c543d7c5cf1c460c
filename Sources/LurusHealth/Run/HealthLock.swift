import Foundation

/// Keeps two health runs of one cluster from overlapping (cron starting one while the last still runs):
/// an exclusive `flock` on a file in the cluster's state folder, taken without waiting and let go when
/// the process ends, however it ends.
public struct HealthLock: Sendable {
    let descriptor: Int32

    /// The lock, or nil when another run holds it.
    public static func take(path: String) throws -> HealthLock? {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw HealthLockError(path: path, reason: String(cString: strerror(errno)))
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            close(descriptor)
            if reason == EWOULDBLOCK { return nil }
            throw HealthLockError(path: path, reason: String(cString: strerror(reason)))
        }
        return HealthLock(descriptor: descriptor)
    }

    public func release() {
        close(self.descriptor)
    }
}

public struct HealthLockError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String

    public var description: String { "cannot lock \(self.path): \(self.reason) (check that folder's permissions)" }
}
