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

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
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
        return connected == 0
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
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline {
            usleep(10_000)
        }
        return !process.isRunning
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
