import ArgumentParser
import Dispatch
import Foundation

/// Runs work so that Ctrl-C (SIGINT) or SIGTERM cancels it instead of killing the process: the work's own
/// clean-up (closing SSH masters, releasing locks) runs, then the command exits 130.
enum Interrupts {
    static func cancelling<Result: Sendable>(
        _ work: @escaping @Sendable () async throws -> Result
    ) async throws -> Result {
        let (signals, continuation) = AsyncStream<Int32>.makeStream()
        let sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
        defer {
            for source in sources { source.cancel() }
            continuation.finish()
        }
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
