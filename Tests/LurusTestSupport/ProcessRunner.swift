import Foundation
import Subprocess
import SystemPackage

/// Runs a real process to completion with a deadline, capturing its output. For tests only.
public enum ProcessRunner {
    public struct Result: Sendable, CustomStringConvertible {
        /// The exit code, or 128 + the signal number when a signal ended the process.
        public var status: Int32
        public var stdout: String
        public var stderr: String
        public var timedOut: Bool

        public init(status: Int32, stdout: String, stderr: String, timedOut: Bool = false) {
            self.status = status
            self.stdout = stdout
            self.stderr = stderr
            self.timedOut = timedOut
        }

        public var description: String {
            "exit \(self.status)\(self.timedOut ? " (timed out)" : "")\n--- stdout\n\(self.stdout)--- stderr\n\(self.stderr)"
        }
    }

    /// Runs `executable` with `arguments` (and `input` on stdin). After `timeout` seconds it is sent SIGTERM, then SIGKILL.
    public static func run(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String] = [:],
        currentDirectory: String? = nil,
        input: [UInt8] = [],
        timeout: Double = 60
    ) async throws -> Result {
        var options = PlatformOptions()
        options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: .seconds(3))]
        var environment = environment
        // Every test run shares the machine's build cache of the services (as `make` sets it), so that the
        // lab's deploys reuse releases built before instead of compiling for minutes under a timeout.
        if ProcessInfo.processInfo.environment["LURUS_BUILD_CACHE"] == nil, environment["LURUS_BUILD_CACHE"] == nil {
            environment["LURUS_BUILD_CACHE"] = "/var/cache/lurusctl"
        }
        let configuration = Configuration(
            executable: .path(FilePath(executable)),
            arguments: Arguments(arguments),
            environment: .inherit.updating(
                Dictionary(uniqueKeysWithValues: environment.map { (Environment.Key(stringLiteral: $0.key), $0.value) })
            ),
            workingDirectory: currentDirectory.map { FilePath($0) },
            platformOptions: options
        )
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                let result = try await Subprocess.run(
                    configuration,
                    input: .array(input),
                    output: .string(limit: 16 << 20),
                    error: .string(limit: 16 << 20)
                )
                let status: Int32
                switch result.terminationStatus {
                case .exited(let code): status = code
                case .signaled(let signal): status = 128 + signal
                }
                return Result(
                    status: status,
                    stdout: result.standardOutput,
                    stderr: result.standardError,
                    timedOut: false
                )
            }
            group.addTask {
                try await Task.sleep(for: .seconds(timeout))
                return nil
            }
            let first = try await group.next()!
            group.cancelAll()
            if let first { return first }
            // The deadline came first: cancelling the run tears the process down; report that.
            let teardown = try? await group.next()
            return Result(
                status: teardown??.status ?? 137,
                stdout: teardown??.stdout ?? "",
                stderr: teardown??.stderr ?? "",
                timedOut: true
            )
        }
    }

    /// Runs a command line through `/bin/sh -c`.
    public static func shell(_ command: String, timeout: Double = 60) async throws -> Result {
        try await run("/bin/sh", ["-c", command], timeout: timeout)
    }
}
