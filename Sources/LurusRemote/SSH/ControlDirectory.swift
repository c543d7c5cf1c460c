import Foundation

/// A private directory (mode 0700, owned by this user) for ControlMaster sockets and the generated config.
///
/// UNIX socket paths must stay under ~104 bytes, so it lives in /tmp with a short random name and the
/// sockets are named by a hash of their destination (`ControlSocket.name`). Each run's directory holds an `owner` file naming its process
/// (pid and start time), so a later run can tell a directory whose run was killed with SIGKILL from one
/// in use, and removes the former when it starts.
public struct ControlDirectory: Sendable {
    public let path: String

    /// The name prefix of every directory lurusctl makes in `base`.
    static let prefix = "lurusctl-"
    /// A directory with no owner file (made by an older lurusctl) counts as stale after this long.
    static let legacyAge: TimeInterval = 3600

    /// Creates a fresh directory for one run, after removing the stale ones of this user; remove it with
    /// `remove()` when the run ends.
    public static func create(base: String = "/tmp") throws -> ControlDirectory {
        self.sweepStale(base: base)
        // mkdtemp makes the directory with mode 0700 and a name no other user can guess in advance.
        var template = Array("\(base)/\(self.prefix)XXXXXX".utf8CString)
        guard let created = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw RemoteError.local("cannot create a private directory in \(base) (errno \(errno))")
        }
        let path = String(decoding: UnsafeRawBufferPointer(start: created, count: strlen(created)), as: UTF8.self)
        let directory = ControlDirectory(path: path)
        guard let owner = ProcessIdentity.current(),
            FileManager.default.createFile(
                atPath: "\(path)/owner",
                contents: Data(owner.line.utf8),
                attributes: [.posixPermissions: 0o600]
            )
        else {
            directory.remove()
            throw RemoteError.local("cannot write \(path)/owner")
        }
        return directory
    }

    /// The directory where masters that outlive a run (`control_persist`) keep their sockets, so the next
    /// run finds them: `BASE/lurusctl-keep-UID`. It must be a real directory of this user with mode 0700;
    /// anything else there (a link, someone else's folder) is refused, never used.
    public static func persistent(base: String = "/tmp") throws -> ControlDirectory {
        let path = "\(base)/\(self.prefix)keep-\(getuid())"
        if mkdir(path, 0o700) != 0, errno != EEXIST {
            throw RemoteError.local("cannot create \(path) (errno \(errno))")
        }
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, info.st_uid == getuid(),
            (info.st_mode & 0o777) == 0o700
        else {
            throw RemoteError.local(
                "\(path) is not a private directory of this user (it must be a directory, mode 0700, not a link); "
                    + "remove it, or set control_persist: 0s"
            )
        }
        return ControlDirectory(path: path)
    }

    /// Ends every master whose socket is here (by `ControlSocket.exit`, or `ssh -O exit` when that is
    /// unclear: both need only the socket), for the persistent directory's masters that outlive runs.
    public func endMasters(sshExecutable: String = "/usr/bin/ssh") {
        for socket in (try? FileManager.default.contentsOfDirectory(atPath: self.path)) ?? [] {
            if [.ended, .noMaster].contains(ControlSocket.exit("\(self.path)/\(socket)")) { continue }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: sshExecutable)
            process.arguments = ["-o", "ControlPath=\(self.path)/\(socket)", "-O", "exit", "lurusctl-kept"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            guard (try? process.run()) != nil else { continue }
            process.waitUntilExit()
        }
    }

    /// Removes the directory and what is in it. A master that was just told to end unlinks its socket
    /// as it exits, which can make one pass fail midway (the entry it listed is gone): try again, briefly.
    public func remove() {
        for _ in 0..<10 {
            if (try? FileManager.default.removeItem(atPath: self.path)) != nil { return }
            if !FileManager.default.fileExists(atPath: self.path) { return }
            usleep(20_000)
        }
    }

    /// Removes this user's run directories in `base` whose run is gone (killed with SIGKILL, so it could
    /// not clean up), and returns their paths. A directory in use, another user's, or the persistent one
    /// is left alone.
    @discardableResult
    public static func sweepStale(base: String = "/tmp") -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: base) else { return [] }
        var removed: [String] = []
        for name in names where name.hasPrefix(self.prefix) && !name.hasPrefix("\(self.prefix)keep-") {
            let path = "\(base)/\(name)"
            var info = stat()
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, info.st_uid == getuid() else {
                continue
            }
            let stale: Bool
            if let text = try? String(contentsOfFile: "\(path)/owner", encoding: .utf8) {
                stale = ProcessIdentity(line: text).map { !$0.isRunning } ?? false
            } else {
                let modified = Date(timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec))
                stale = Date().timeIntervalSince(modified) > self.legacyAge
            }
            if stale, (try? FileManager.default.removeItem(atPath: path)) != nil { removed.append(path) }
        }
        return removed
    }
}

/// A process as the kernel knows it: its pid and its start time (so a reused pid is not mistaken for it).
struct ProcessIdentity: Sendable, Hashable {
    var pid: Int32
    /// Clock ticks after boot (`/proc/PID/stat` field 22); 0 where there is no /proc.
    var startTime: UInt64

    static func current() -> ProcessIdentity? {
        let pid = getpid()
        return ProcessIdentity(pid: pid, startTime: self.startTime(of: pid) ?? 0)
    }

    /// `PID START` as written in the owner file.
    var line: String { "\(self.pid) \(self.startTime)\n" }

    init(pid: Int32, startTime: UInt64) {
        self.pid = pid
        self.startTime = startTime
    }

    init?(line: String) {
        let fields = line.split(whereSeparator: \.isWhitespace)
        guard fields.count == 2, let pid = Int32(fields[0]), pid > 0, let start = UInt64(fields[1]) else {
            return nil
        }
        self.init(pid: pid, startTime: start)
    }

    /// Whether this very process still runs.
    var isRunning: Bool {
        if kill(self.pid, 0) != 0, errno == ESRCH { return false }
        guard self.startTime != 0, let now = Self.startTime(of: self.pid) else { return true }
        return now == self.startTime
    }

    /// The start time of `pid` from `/proc`, nil without /proc or when the process is gone.
    static func startTime(of pid: Int32) -> UInt64? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name (which may hold spaces): state is field 3, starttime field 22.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? UInt64(fields[19]) : nil
    }
}
