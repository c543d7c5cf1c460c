import Foundation

/// A private directory (mode 0700, owned by this user) for ControlMaster sockets and the generated config.
///
/// UNIX socket paths must stay under ~104 bytes, so it lives in /tmp with a short random name and the
/// sockets are named by ssh's `%C` hash.
public struct ControlDirectory: Sendable {
    public let path: String

    /// Creates a fresh directory; remove it with `remove()` when the run ends.
    public static func create() throws -> ControlDirectory {
        // mkdtemp makes the directory with mode 0700 and a name no other user can guess in advance.
        var template = Array("/tmp/lurusctl-XXXXXX".utf8CString)
        guard let created = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw RemoteError.local("cannot create a private directory in /tmp (errno \(errno))")
        }
        let path = String(decoding: UnsafeRawBufferPointer(start: created, count: strlen(created)), as: UTF8.self)
        return ControlDirectory(path: path)
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: self.path)
    }
}
