import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A real `nats-server` with user/password authorization and (optionally) JetStream, started
/// for a test in a fresh temporary directory. Stopped on `stop()` or deinit.
public final class NATSServerProcess: SignalledServer, Sendable {
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
        // A kill and no wait: a deinit runs on a thread of Swift concurrency's pool, and every second it
        // blocks there delays every other test's connections. A killed server writes nothing more, so its
        // directory can go at once.
        if let process = self.process.withLock({ $0.take() }), process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
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
    ) async throws -> NATSServerProcess {
        try await LocalServer.offThePool {
            try Self.startBlocking(
                user: user,
                password: password,
                jetStream: jetStream,
                port: port,
                extraConfiguration: extraConfiguration
            )
        }
    }

    private static func startBlocking(
        user: String,
        password: String,
        jetStream: Bool,
        port: Int?,
        extraConfiguration: String
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
        if !LocalServer.waitForExit(of: process, seconds: 5) {
            kill(process.processIdentifier, SIGKILL)
        }
        LocalServer.waitUntilGone(process.processIdentifier)
    }

    /// Stops the server and starts it again on the same port with the same store directory,
    /// so JetStream data survives.
    public func restart() async throws {
        try await LocalServer.offThePool {
            self.stop()
            try self.launch()
        }
    }

    /// A TCP port on 127.0.0.1 that nothing listened on a moment ago.
    public static func unusedPort() throws -> Int {
        try LocalServer.unusedPort()
    }

    /// A random password of 24 letters and digits.
    public static func randomPassword() -> String {
        let alphabet = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        return String((0..<24).map { _ in alphabet.randomElement()! })
    }

    // MARK: Internals

    public func signal(_ signal: Int32) {
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
            if LocalServer.log(logFile, says: "Server is ready"), LocalServer.acceptsConnections(port: self.port) {
                return
            }
            usleep(20_000)
        }
        let running = process.isRunning
        self.stop()
        let tail = LocalServer.tail(of: logFile)
        let what =
            running
            ? "did not accept connections within 5 s"
            : "exited with status \(process.terminationStatus)"
        throw NATSServerError(
            "nats-server on port \(self.port) \(what); its output ends with:\n\(tail)"
        )
    }

    private static func findExecutable() throws -> URL {
        try LocalServer.executable(
            "nats-server",
            missing: "nats-server is not installed: run scripts/setup (apt-get install nats-server)"
        )
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
