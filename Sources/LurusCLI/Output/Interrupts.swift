import ArgumentParser
import Dispatch
import Foundation

/// Runs work so that Ctrl-C (SIGINT) or SIGTERM cancels it instead of killing the process: the work's own
/// clean-up (closing SSH masters, releasing locks) runs, then the command exits 130.
enum Interrupts {
    /// SIGINT and SIGTERM as a stream, instead of their default action, until the returned function is called.
    private static func signals() -> (AsyncStream<Int32>, () -> Void) {
        let (signals, continuation) = AsyncStream<Int32>.makeStream()
        let sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
        return (
            signals,
            {
                for source in sources { source.cancel() }
                continuation.finish()
            }
        )
    }

    static func cancelling<Result: Sendable>(
        _ work: @escaping @Sendable () async throws -> Result
    ) async throws -> Result {
        let (signals, stopListening) = Self.signals()
        defer { stopListening() }
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask { try await work() }
            group.addTask {
                for await _ in signals { return nil }
                return nil
            }
            while let first = try await group.next() {
                if let result = first {
                    group.cancelAll()
                    return result
                }
                if !Task.isCancelled {
                    // A signal: cancel the work and wait for its clean-up.
                    group.cancelAll()
                    while (try? await group.next()) != nil {}
                    Terminal.standardError.write("interrupted; stopped what was running and closed connections")
                    throw ExitCode(130)
                }
            }
            throw ExitCode(130)
        }
    }
}

extension Interrupts {
    /// Runs work that can stop gracefully: the first Ctrl-C (or SIGTERM) calls `stop` (no new step starts,
    /// running ones finish) and the work ends on its own; a second one cancels it (what runs on the nodes is
    /// killed). Either way the work's result is returned, so the caller can report, release its lock and
    /// exit 130.
    static func graceful<Result: Sendable>(
        stop: @escaping @Sendable () -> Void,
        _ work: @escaping @Sendable () async throws -> Result
    ) async throws -> Result {
        let (signals, stopListening) = Self.signals()
        defer { stopListening() }
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask { try await work() }
            group.addTask {
                var count = 0
                for await _ in signals {
                    count += 1
                    if count == 1 {
                        Terminal.standardError.write(
                            "interrupted: finishing the steps under way, starting no new ones (Ctrl-C again to abort them)"
                        )
                        stop()
                    } else {
                        Terminal.standardError.write("aborting the steps under way")
                        return nil
                    }
                }
                return nil
            }
            while let next = try await group.next() {
                if let result = next {
                    group.cancelAll()
                    return result
                }
                if Task.isCancelled { break }
                // The second signal: cancel the work and wait for what it returns.
                group.cancelAll()
            }
            throw ExitCode(130)
        }
    }
}
