import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A real service executable (`lurus-billing`, `lurus-logs`, built beside the tests by `swift build
/// --build-tests`), started with its settings in the environment, so that a test can SIGKILL it at the
/// worst moment.
public final class ServiceProcess: Sendable {
    public let process: Process
    public let port: Int
    public let log: URL

    /// Where `swift build` put `name`: beside the test bundle.
    public static func executable(_ name: String) -> URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name)
    }

    /// Starts `name` on a free port of 127.0.0.1 (HTTP_HOST, HTTP_PORT) and waits until it listens, off Swift
    /// concurrency's pool (the wait blocks).
    public static func start(
        _ name: String,
        environment: [String: String],
        directory: URL
    ) async throws -> ServiceProcess {
        try await LocalServer.offThePool {
            try Self.startBlocking(name, environment: environment, directory: directory)
        }
    }

    private static func startBlocking(
        _ name: String,
        environment: [String: String],
        directory: URL
    ) throws -> ServiceProcess {
        let executable = Self.executable(name)
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw ServiceProcessError(
                "\(name) is not built at \(executable.path): run `swift build --build-tests` in services/"
            )
        }
        let port = try LocalServer.unusedPort()
        let log = directory.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8)).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = executable
        process.environment = environment.merging(["HTTP_PORT": String(port), "HTTP_HOST": "127.0.0.1"]) { $1 }
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let started = ServiceProcess(process: process, port: port, log: log)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            guard process.isRunning else {
                throw ServiceProcessError(
                    "\(name) exited (\(process.terminationStatus)): \(LocalServer.tail(of: log))"
                )
            }
            if LocalServer.acceptsConnections(port: port) { return started }
            usleep(50_000)
        }
        started.kill()
        throw ServiceProcessError("\(name) did not listen within 30 s: \(LocalServer.tail(of: log))")
    }

    private init(process: Process, port: Int, log: URL) {
        self.process = process
        self.port = port
        self.log = log
    }

    /// SIGKILL: no shutdown, nothing flushed, as a crash or the OOM killer.
    public func kill() {
        guard self.process.isRunning else { return }
        Glibc.kill(self.process.processIdentifier, SIGKILL)
        LocalServer.waitUntilGone(self.process.processIdentifier)
    }

    deinit {
        self.kill()
    }
}

public struct ServiceProcessError: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
