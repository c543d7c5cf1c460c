import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A real `redis-server` with a password, started for a test on a free port in a fresh temporary
/// directory, persisting nothing. Stopped on `stop()` or deinit; `restart()` keeps the port; `suspend()`
/// freezes it.
public final class RedisServerProcess: SignalledServer, Sendable {
    public let port: Int
    public let password: String
    public let directory: URL

    private let executable: URL
    private let configFile: URL
    private let process: Mutex<Process?>

    private init(executable: URL, directory: URL, port: Int, password: String) throws {
        self.executable = executable
        self.directory = directory
        self.port = port
        self.password = password
        self.configFile = directory.appendingPathComponent("redis.conf")
        self.process = Mutex(nil)
        try """
        bind 127.0.0.1
        port \(port)
        requirepass "\(password)"
        dir "\(directory.path)"
        save ""
        appendonly no
        daemonize no
        logfile "\(directory.appendingPathComponent("redis.log").path)"
        """.write(to: self.configFile, atomically: true, encoding: .utf8)
    }

    deinit {
        self.stop()
        try? FileManager.default.removeItem(at: self.directory)
    }

    /// Starts a server and waits until it accepts connections (at most 5 seconds).
    public static func start(password: String = NATSServerProcess.randomPassword()) async throws -> RedisServerProcess {
        try await LocalServer.offThePool { try Self.startBlocking(password: password) }
    }

    private static func startBlocking(password: String) throws -> RedisServerProcess {
        let executable = try LocalServer.executable(
            "redis-server",
            missing: "redis-server is not installed: run scripts/setup (apt-get install redis-server)"
        )
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("redis-test-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let server = try RedisServerProcess(
            executable: executable,
            directory: directory,
            port: try LocalServer.unusedPort(),
            password: password
        )
        try server.launch()
        return server
    }

    /// Stops the server at once (SIGKILL: it keeps nothing to save, and it inherits the test process's
    /// signal mask, in which SIGTERM may be blocked) and waits for it to exit.
    public func stop() {
        guard let process = self.process.withLock({ $0.take() }), process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        LocalServer.waitUntilGone(process.processIdentifier)
    }

    public func signal(_ signal: Int32) {
        self.process.withLock { process in
            if let process, process.isRunning { kill(process.processIdentifier, signal) }
        }
    }

    /// Stops the server and starts it again on the same port (its data is gone: nothing is persisted).
    public func restart() async throws {
        try await LocalServer.offThePool {
            self.stop()
            try self.launch()
        }
    }

    private func launch() throws {
        // Each launch's own log, so "ready" below is this server's, not the one before a restart.
        let log = self.directory.appendingPathComponent("redis.log")
        try? FileManager.default.removeItem(at: log)
        let process = Process()
        process.executableURL = self.executable
        process.arguments = [self.configFile.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process.withLock { $0 = process }
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, process.isRunning {
            if LocalServer.log(log, says: "Ready to accept connections"),
                LocalServer.acceptsConnections(port: self.port)
            {
                return
            }
            usleep(20_000)
        }
        let running = process.isRunning
        self.stop()
        throw NATSServerError(
            "redis-server on port \(self.port) "
                + (running
                    ? "did not accept connections within 5 s" : "exited with status \(process.terminationStatus)")
                + "; its log ends with:\n" + LocalServer.tail(of: log)
        )
    }
}
