import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A real `nats-server` with user/password authorization and (optionally) JetStream, started
/// for a test in a fresh temporary directory. Stopped on `stop()` or deinit.
public final class NATSServerProcess: Sendable {
    /// The client port on 127.0.0.1.
    public let port: Int
    /// The user the server accepts.
    public let user: String
    /// The password the server accepts.
    public let password: String
    /// Where JetStream keeps its data; it survives `restart()`.
    public let storeDirectory: URL
    /// The temporary directory holding the configuration, the logs and the store.
    public let directory: URL

    private let executable: URL
    private let configFile: URL
    private let process: Mutex<Process?>
    private let starts = Atomic<Int>(0)

    /// "nats://127.0.0.1:PORT".
    public var url: String {
        "nats://127.0.0.1:\(self.port)"
    }

    /// Whether the server process is running.
    public var isRunning: Bool {
        self.process.withLock { $0?.isRunning ?? false }
    }

    private init(
        executable: URL,
        directory: URL,
        port: Int,
        user: String,
        password: String,
        jetStream: Bool,
        extraConfiguration: String
    ) throws {
        self.executable = executable
        self.directory = directory
        self.port = port
        self.user = user
        self.password = password
        self.storeDirectory = directory.appendingPathComponent("jetstream", isDirectory: true)
        self.configFile = directory.appendingPathComponent("nats-server.conf")
        self.process = Mutex(nil)
        var config = """
            listen: "127.0.0.1:\(port)"
            authorization {
                user: \(Self.quoted(user))
                password: \(Self.quoted(password))
            }

            """
        if jetStream {
            config += "jetstream {\n    store_dir: \(Self.quoted(self.storeDirectory.path))\n}\n"
        }
        config += extraConfiguration
        try config.write(to: self.configFile, atomically: true, encoding: .utf8)
    }

    deinit {
        self.stop()
        try? FileManager.default.removeItem(at: self.directory)
    }

    /// Starts a server and waits until it accepts connections (at most 5 seconds).
    ///
    /// - Parameters:
    ///   - port: the client port; nil picks a free one.
    ///   - extraConfiguration: lines appended to the generated configuration file, e.g.
    ///     `ping_interval: "100ms"`.
    public static func start(
        user: String = "lurus",
        password: String = NATSServerProcess.randomPassword(),
        jetStream: Bool = true,
        port: Int? = nil,
        extraConfiguration: String = ""
    ) throws -> NATSServerProcess {
        let executable = try Self.findExecutable()
        // A port picked free can be taken before the server binds it: then try another.
        var attempt = 1
        while true {
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("nats-test-\(UUID().uuidString)", isDirectory: true)
            try FileManager.default.createDirectory(
                at: directory,
                withIntermediateDirectories: true
            )
            let server = try NATSServerProcess(
                executable: executable,
                directory: directory,
                port: try port ?? Self.unusedPort(),
                user: user,
                password: password,
                jetStream: jetStream,
                extraConfiguration: extraConfiguration
            )
            do {
                try server.launch()
                return server
            } catch let error as NATSServerError {
                guard port == nil, attempt < 3, error.portInUse else {
                    throw error
                }
                attempt += 1
            }
        }
    }

    /// Stops the server (SIGTERM, then SIGKILL after 5 seconds) and waits for it to exit.
    public func stop() {
        guard let process = self.process.withLock({ $0.take() }) else {
            return
        }
        guard process.isRunning else {
            return
        }
        process.terminate()
        kill(process.processIdentifier, SIGCONT)  // In case it was suspended.
        if !Self.waitForExit(of: process, seconds: 5) {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
    }

    /// Freezes the server (SIGSTOP): connections stay open but nothing is answered, as with a
    /// hung server or a silent network.
    public func suspend() {
        self.signal(SIGSTOP)
    }

    /// Lets a suspended server go on (SIGCONT).
    public func resume() {
        self.signal(SIGCONT)
    }

    /// Stops the server and starts it again on the same port with the same store directory,
    /// so JetStream data survives.
    public func restart() throws {
        self.stop()
        try self.launch()
    }

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

    /// A random password of 24 letters and digits.
    public static func randomPassword() -> String {
        let alphabet = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        return String((0..<24).map { _ in alphabet.randomElement()! })
    }

    // MARK: Internals

    private func signal(_ signal: Int32) {
        self.process.withLock { process in
            if let process, process.isRunning {
                kill(process.processIdentifier, signal)
            }
        }
    }

    private func launch() throws {
        let run = self.starts.add(1, ordering: .relaxed).newValue
        let logFile = self.directory.appendingPathComponent("nats-server-\(run).log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let log = try FileHandle(forWritingTo: logFile)
        defer { try? log.close() }
        let process = Process()
        process.executableURL = self.executable
        process.arguments = ["-c", self.configFile.path]
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process.withLock { $0 = process }
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if !process.isRunning {
                break
            }
            if Self.logSaysReady(logFile), Self.acceptsConnections(port: self.port) {
                return
            }
            usleep(20_000)
        }
        let running = process.isRunning
        self.stop()
        let tail = Self.tail(of: logFile)
        let what =
            running
            ? "did not accept connections within 5 s"
            : "exited with status \(process.terminationStatus)"
        throw NATSServerError(
            "nats-server on port \(self.port) \(what); its output ends with:\n\(tail)"
        )
    }

    private static func findExecutable() throws -> URL {
        var directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
            .map(String.init)
        directories += ["/usr/sbin", "/usr/bin", "/usr/local/bin", "/usr/local/sbin"]
        for directory in directories where !directory.isEmpty {
            let candidate = URL(fileURLWithPath: directory).appendingPathComponent("nats-server")
            if FileManager.default.isExecutableFile(atPath: candidate.path) {
                return candidate
            }
        }
        throw NATSServerError(
            "nats-server is not installed: run scripts/setup (apt-get install nats-server)"
        )
    }

    private static func waitForExit(of process: Process, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline {
            usleep(10_000)
        }
        return !process.isRunning
    }

    private static func logSaysReady(_ logFile: URL) -> Bool {
        guard let text = try? String(contentsOf: logFile, encoding: .utf8) else {
            return false
        }
        return text.contains("Server is ready")
    }

    private static func acceptsConnections(port: Int) -> Bool {
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

    private static func loopbackAddress(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    private static func tail(of file: URL) -> String {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else {
            return "(no output)"
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return lines.suffix(20).joined(separator: "\n")
    }

    private static func quoted(_ text: String) -> String {
        "\""
            + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(
                of: "\"",
                with: "\\\""
            ) + "\""
    }
}

/// Why a test server could not be started.
public struct NATSServerError: Error, CustomStringConvertible {
    /// What went wrong, for the test's failure message.
    public var description: String

    /// Whether the server failed because its port was taken.
    var portInUse: Bool {
        self.description.contains("address already in use")
    }

    init(_ description: String) {
        self.description = description
    }
}
