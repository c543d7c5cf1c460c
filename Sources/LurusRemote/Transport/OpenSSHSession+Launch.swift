import Foundation
import Logging
import LurusInventory
import Subprocess
import SystemPackage

/// Launching the `ssh` binary through swift-subprocess, with a local deadline and streamed output.
extension OpenSSHSession {
    struct RawResult {
        var status: Int32
        var stdout: [UInt8]
        var stderr: [UInt8]
    }

    /// Runs ssh with `arguments`; nil when `deadline` passed first (ssh is then terminated).
    nonisolated func ssh(
        _ arguments: [[UInt8]],
        input: RemoteInput,
        deadline: Duration,
        sink: (@Sendable (OutputChunk.Stream, [UInt8]) -> Void)? = nil
    ) async throws -> RawResult? {
        let configuration = self.sshConfiguration(arguments)
        return try await withDeadline(deadline) {
            switch input {
            case .bytes(let bytes):
                return try await Self.launch(configuration, input: .array(bytes), sink: sink)
            case .file(let path):
                let descriptor: FileDescriptor
                do {
                    descriptor = try FileDescriptor.open(FilePath(path), .readOnly)
                } catch {
                    throw RemoteError.local("cannot read \(path): \(error)")
                }
                return try await Self.launch(
                    configuration,
                    input: .fileDescriptor(descriptor, closeAfterSpawningProcess: true),
                    sink: sink
                )
            }
        }
    }

    /// How to start ssh with `arguments`: terminated gracefully (TERM, KILL 2 s later) when cancelled.
    nonisolated func sshConfiguration(_ arguments: [[UInt8]]) -> Configuration {
        var platform = PlatformOptions()
        platform.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: .seconds(2))]
        // swift-subprocess 1.0.2 strdup()s raw-byte arguments: each needs its own NUL terminator.
        return Configuration(
            executable: .path(FilePath(self.options.sshExecutable)),
            arguments: Arguments(arguments.map { $0 + [0] }),
            platformOptions: platform
        )
    }

    static func launch(
        _ configuration: Configuration,
        input: some InputProtocol,
        sink: (@Sendable (OutputChunk.Stream, [UInt8]) -> Void)?
    ) async throws -> RawResult {
        guard let sink else {
            let result = try await Subprocess.run(
                configuration,
                input: input,
                output: .bytes(limit: 1 << 30),
                error: .bytes(limit: 64 << 20)
            )
            return RawResult(
                status: result.terminationStatus.code,
                stdout: result.standardOutput,
                stderr: result.standardError
            )
        }
        // Both streams are read at once (a command filling one pipe must not block on the other), handed
        // to the sink as they come, and kept for the result.
        let result = try await Subprocess.run(configuration, input: input, output: .sequence, error: .sequence) {
            execution in
            try await withThrowingTaskGroup(of: (OutputChunk.Stream, [UInt8]).self) { group in
                /// Reads one stream to its end, handing each piece to the sink and keeping it all.
                @Sendable func drain(
                    _ sequence: SubprocessOutputSequence,
                    _ stream: OutputChunk.Stream
                ) async throws
                    -> (OutputChunk.Stream, [UInt8])
                {
                    var all: [UInt8] = []
                    for try await buffer in sequence {
                        let bytes = buffer.withUnsafeBytes { Array($0) }
                        all += bytes
                        sink(stream, bytes)
                    }
                    return (stream, all)
                }
                group.addTask { try await drain(execution.standardOutput, .standardOutput) }
                group.addTask { try await drain(execution.standardError, .standardError) }
                var output: (stdout: [UInt8], stderr: [UInt8]) = ([], [])
                for try await (stream, bytes) in group {
                    if stream == .standardOutput { output.stdout = bytes } else { output.stderr = bytes }
                }
                return output
            }
        }
        return RawResult(
            status: result.terminationStatus.code,
            stdout: result.closureResult.stdout,
            stderr: result.closureResult.stderr
        )
    }
}

extension TerminationStatus {
    /// The exit code, or 128 + the signal number as shells report it.
    var code: Int32 {
        switch self {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
    }
}

extension Int64 {
    func clamped(to range: ClosedRange<Int64>) -> Int64 {
        Swift.min(Swift.max(self, range.lowerBound), range.upperBound)
    }
}
