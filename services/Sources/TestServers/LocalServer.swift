import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What the test servers share: free ports, whether a port accepts, finding an executable, waiting for a
/// process, the end of a log.
public enum LocalServer {
    /// A TCP port on 127.0.0.1 that nothing listened on a moment ago.
    public static func unusedPort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else {
            throw NATSServerError("socket() failed: errno \(errno)")
        }
        defer { close(descriptor) }
        var address = Self.loopbackAddress(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            throw NATSServerError("bind() failed: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getsockname(descriptor, $0, &length)
            }
        }
        guard named == 0 else {
            throw NATSServerError("getsockname() failed: errno \(errno)")
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether the server's log file holds `phrase` (its "ready" line) yet.
    public static func log(_ file: URL, says phrase: String) -> Bool {
        (try? String(contentsOf: file, encoding: .utf8))?.contains(phrase) ?? false
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    ///
    /// A connection whose own port is `port` is TCP connecting to itself, not a server: a port from
    /// `unusedPort()` is in the ephemeral range, from which connect() also picks its source port, so
    /// while nothing listens yet a connect can land on itself and succeed (seen in CI: a Redis restart
    /// "ready" before redis-server listened).
    public static func acceptsConnections(port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else {
            return false
        }
        defer { close(descriptor) }
        var address = Self.loopbackAddress(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return false }
        var local = Self.loopbackAddress(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return named == 0 && Int(UInt16(bigEndian: local.sin_port)) != port
    }

    /// POSTs `body` to 127.0.0.1:`port` with HTTP/1.0 and reads the whole answer (the server closes the
    /// connection at its end); the status and the body. Blocking, with `timeout` seconds per read.
    public static func httpPost(port: Int, path: String, body: [UInt8], timeout: Int) throws -> (Int, String) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw NATSServerError("socket() failed: errno \(errno)") }
        defer { close(descriptor) }
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = Self.loopbackAddress(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw NATSServerError("nothing answers on 127.0.0.1:\(port) (errno \(errno))") }
        let request =
            Array("POST \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body
        var sent = 0
        while sent < request.count {
            let written = request[sent...].withUnsafeBytes {
                send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard written > 0 else { throw NATSServerError("sending to 127.0.0.1:\(port) failed: errno \(errno)") }
            sent += written
        }
        var answer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let read = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if read == 0 { break }
            guard read > 0 else { throw NATSServerError("no answer from 127.0.0.1:\(port) within \(timeout) s") }
            answer += chunk[0..<read]
        }
        let text = String(decoding: answer, as: UTF8.self)
        guard let headerEnd = text.range(of: "\r\n\r\n"),
            let status = Int(text.split(separator: " ").dropFirst().first ?? "")
        else { throw NATSServerError("127.0.0.1:\(port) did not answer in HTTP: \(text.prefix(200))") }
        return (status, String(text[headerEnd.upperBound...]))
    }

    /// `name` on PATH or in the usual system folders, or an error saying `missing`.
    public static func executable(_ name: String, missing: String) throws -> URL {
        var directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
            .map(String.init)
        directories += ["/usr/sbin", "/usr/bin", "/usr/local/bin", "/usr/local/sbin"]
        for directory in directories where !directory.isEmpty {
            let candidate = URL(fileURLWithPath: directory).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) {
                return candidate
            }
        }
        throw NATSServerError(missing)
    }

    /// Waits up to `seconds` for `process` to exit; whether it did.
    public static func waitForExit(of process: Process, seconds: Double) -> Bool {
        Self.waitUntilGone(process.processIdentifier, seconds: seconds)
    }

    /// Waits up to `seconds` until process `pid` has ended (gone, or a zombie); whether it did. Read from
    /// /proc, not Foundation's `isRunning` or `waitUntilExit`: with several servers ending at once,
    /// Foundation sometimes never sees one of them exit, and a test hung in `waitUntilExit` for good.
    @discardableResult
    public static func waitUntilGone(_ pid: Int32, seconds: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            guard let fields = Self.statFields(pid) else { return true }
            if fields.first == "Z" { return true }
            usleep(10_000)
        } while Date() < deadline
        return false
    }

    /// The fields of /proc/PID/stat after the command name in parentheses ("PID (name) S …"), from field 3
    /// (the state) on; nil when there is no such process.
    static func statFields(_ pid: Int32) -> [Substring]? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return nil }
        return stat[stat.index(after: end)...].split(separator: " ")
    }

    /// The exit status of `process` once it has ended (at most `seconds`; nil if it has not), read from
    /// /proc while it is a zombie (field 52 of its stat, `exit_code`), or from Foundation once Foundation
    /// has reaped it: never `waitUntilExit`, which sometimes never returns (see `waitUntilGone`).
    public static func exitStatus(of process: Process, seconds: Double = 60) -> Int32? {
        let pid = process.processIdentifier
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            guard let fields = Self.statFields(pid) else {
                // Reaped by Foundation: its status is set (waited for briefly, as it is set after the reap).
                let settled = Date().addingTimeInterval(1)
                while process.isRunning, Date() < settled { usleep(1_000) }
                return process.isRunning ? nil : process.terminationStatus
            }
            // exit_code is field 52, in waitpid's format.
            if fields.first == "Z", fields.count > 49, let code = Int32(fields[49]) {
                return (code >> 8) & 0xFF
            }
            usleep(10_000)
        } while Date() < deadline
        return nil
    }

    /// The last 20 lines of `file`.
    public static func tail(of file: URL) -> String {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else {
            return "(no output)"
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return lines.suffix(20).joined(separator: "\n")
    }

    /// Runs `work` (which blocks: it starts processes and polls them) on a thread of its own, off Swift
    /// concurrency's pool. That pool has one thread per core: tests blocking it while their servers start
    /// once starved every other test's connections long enough for nats-server's 2 s authentication
    /// timeout to close them (seen on 2 cores).
    public static func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try work() })
            }
        }
    }

    static func loopbackAddress(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }
}

/// A test server that can be frozen, as a hung server or a silent network is.
public protocol SignalledServer {
    /// Sends `signal` to the server's process while it runs.
    func signal(_ signal: Int32)
}

extension SignalledServer {
    /// Freezes the server (SIGSTOP): connections stay open but nothing is answered.
    public func suspend() {
        self.signal(SIGSTOP)
    }

    /// Lets a suspended server go on (SIGCONT).
    public func resume() {
        self.signal(SIGCONT)
    }
}

/// Polls `condition` every 100 ms for up to `seconds`; then an error naming `what`.
public func waitUntil(_ what: String, seconds: Double = 60, _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(100))
    }
    throw ServiceProcessError("gave up waiting for \(what) after \(seconds) s")
}
