import Foundation
import TestServers

#if canImport(Glibc)
import Glibc
#endif

/// The real `lurus-billing` executable (built beside the tests by `swift build --build-tests`), started
/// with its settings in the environment, so that a test can SIGKILL it at the worst moment.
final class BillingProcess: Sendable {
    let process: Process
    let port: Int
    let log: URL

    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
            "lurus-billing"
        )
    }

    static func start(environment: [String: String], directory: URL) throws -> BillingProcess {
        guard FileManager.default.isExecutableFile(atPath: Self.executable.path) else {
            throw BillingProcessError(
                "lurus-billing is not built at \(Self.executable.path): run `swift build --build-tests` in services/"
            )
        }
        let port = try LocalServer.unusedPort()
        let log = directory.appendingPathComponent("billing-\(UUID().uuidString.prefix(8)).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = Self.executable
        process.environment = environment.merging(["HTTP_PORT": String(port), "HTTP_HOST": "127.0.0.1"]) { $1 }
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let started = BillingProcess(process: process, port: port, log: log)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            guard process.isRunning else {
                throw BillingProcessError(
                    "lurus-billing exited (\(process.terminationStatus)): \(LocalServer.tail(of: log))"
                )
            }
            if LocalServer.acceptsConnections(port: port) { return started }
            usleep(50_000)
        }
        started.kill()
        throw BillingProcessError("lurus-billing did not listen within 30 s: \(LocalServer.tail(of: log))")
    }

    private init(process: Process, port: Int, log: URL) {
        self.process = process
        self.port = port
        self.log = log
    }

    /// SIGKILL: no shutdown, nothing flushed, as a crash or the OOM killer.
    func kill() {
        guard self.process.isRunning else { return }
        Glibc.kill(self.process.processIdentifier, SIGKILL)
        self.process.waitUntilExit()
    }

    deinit {
        self.kill()
    }
}

struct BillingProcessError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
