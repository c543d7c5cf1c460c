import Foundation
import Subprocess
import Synchronization

/// A node's agent as seen from here: one process (`ssh ... perl -e <agent>`, or the agent itself in tests)
/// whose stdin and stdout carry every command's frames. Commands run at once; each waits for its own end.
final class NodeAgent: Sendable {
    /// What a command did.
    struct Reply: Sendable {
        var outcome: RemoteRunner.Outcome
        var stdout: [UInt8]
        var stderr: [UInt8]
    }

    /// The agent ended (its connection dropped, the node went away) before the command's end was reported:
    /// the process's exit status, when it had one, and the last of what it printed on stderr.
    struct Ended: Error, Sendable {
        var status: Int32?
        var stderr: [UInt8]
    }

    typealias Sink = @Sendable (OutputChunk.Stream, [UInt8]) -> Void

    private struct Job {
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        var sink: Sink?
        var continuation: CheckedContinuation<Reply, any Error>
    }

    private struct State {
        var nextJob: UInt32 = 1
        var jobs: [UInt32: Job] = [:]
        /// Jobs cancelled before they were sent: they are never sent.
        var cancelled: Set<UInt32> = []
        var ended: Ended?
        var stderrTail: [UInt8] = []
    }

    private let state = Mutex(State())
    /// Frames for the agent's stdin, in the order they are to be written. Yielded to under `state`'s lock,
    /// so a job's stop can never overtake its start.
    private let outgoing: AsyncStream<[UInt8]>.Continuation
    private let frames: AsyncStream<[UInt8]>
    private let readiness: AsyncStream<Bool>.Continuation
    private let ready: AsyncStream<Bool>
    private let process = Mutex<Task<Void, Never>?>(nil)

    private init() {
        (self.frames, self.outgoing) = AsyncStream<[UInt8]>.makeStream()
        (self.ready, self.readiness) = AsyncStream<Bool>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Starts the agent `configuration` runs; nil when it did not say it is ready within `limit` (it is then
    /// stopped, and commands go their own way).
    static func start(_ configuration: Configuration, readyWithin limit: Duration) async -> NodeAgent? {
        let agent = NodeAgent()
        let task = Task { await agent.serve(configuration) }
        agent.process.withLock { $0 = task }
        let ready =
            (try? await withDeadline(limit) {
                for await ready in agent.ready { return ready }
                return false
            }) ?? false
        if ready { return agent }
        await agent.close(within: .seconds(2))
        return nil
    }

    /// Whether the agent has ended: a command given to it now fails at once.
    var hasEnded: Bool { self.state.withLock { $0.ended != nil } }

    /// Runs `line` on the node with `input` on its stdin and a deadline of `seconds` there. Cancelling the
    /// calling task stops the command's process group on the node and throws `CancellationError`.
    func run(_ line: [UInt8], input: [UInt8], seconds: Int, sink: Sink?) async throws -> Reply {
        let job = self.state.withLock { state in
            defer { state.nextJob &+= 1 }
            return state.nextJob
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let refusal: (any Error)? = self.state.withLock { state in
                    if let ended = state.ended { return ended }
                    if state.cancelled.remove(job) != nil { return CancellationError() }
                    state.jobs[job] = Job(sink: sink, continuation: continuation)
                    self.outgoing.yield(AgentFrame.run(job: job, line: line, seconds: seconds).encoded)
                    var offset = 0
                    while offset < input.count {
                        let end = min(offset + AgentFrame.maximumPayload, input.count)
                        self.outgoing.yield(AgentFrame(.input, job: job, payload: Array(input[offset..<end])).encoded)
                        offset = end
                    }
                    self.outgoing.yield(AgentFrame(.closeInput, job: job).encoded)
                    return nil
                }
                if let refusal { continuation.resume(throwing: refusal) }
            }
        } onCancel: {
            let waiting: Job? = self.state.withLock { state in
                guard let waiting = state.jobs.removeValue(forKey: job) else {
                    state.cancelled.insert(job)
                    return nil
                }
                self.outgoing.yield(AgentFrame(.stop, job: job).encoded)
                return waiting
            }
            waiting?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Ends the agent: its stdin closes, so it stops whatever still runs and exits; if it has not exited
    /// within `limit`, its process is terminated.
    func close(within limit: Duration) async {
        self.outgoing.finish()
        guard let task = self.process.withLock({ $0 }) else { return }
        let exited = (try? await withDeadline(limit) { await task.value }) != nil
        if !exited {
            task.cancel()
            await task.value
        }
    }

    // MARK: The process

    private func serve(_ configuration: Configuration) async {
        var status: Int32?
        do {
            let result = try await Subprocess.run(
                configuration,
                input: .inputWriter,
                output: .sequence,
                error: .sequence
            ) { execution in
                let writer = execution.standardInputWriter
                await withTaskGroup(of: Void.self) { group in
                    group.addTask {
                        // A write fails once the process is gone (EPIPE: lurusctl ignores SIGPIPE); its
                        // jobs are then failed when it has ended.
                        do {
                            for await frame in self.frames { _ = try await writer.write(frame) }
                        } catch {}
                        try? await writer.finish()
                    }
                    group.addTask {
                        do {
                            for try await buffer in execution.standardError {
                                let bytes = buffer.withUnsafeBytes { Array($0) }
                                self.state.withLock { state in
                                    state.stderrTail += bytes
                                    if state.stderrTail.count > 1 << 16 {
                                        state.stderrTail.removeFirst(state.stderrTail.count - (1 << 16))
                                    }
                                }
                            }
                        } catch {}
                    }
                    var decoder = AgentFrameDecoder()
                    do {
                        for try await buffer in execution.standardOutput {
                            for frame in try decoder.feed(buffer.withUnsafeBytes { Array($0) }) { self.handle(frame) }
                        }
                    } catch {}
                    // Its stdout ended: the agent is gone, so nothing more is written to it.
                    self.outgoing.finish()
                    await group.waitForAll()
                }
            }
            status = result.terminationStatus.code
        } catch {}
        self.readiness.yield(false)
        self.readiness.finish()
        let (jobs, ended) = self.state.withLock { state in
            let ended = Ended(status: status, stderr: state.stderrTail)
            state.ended = ended
            defer { state.jobs.removeAll() }
            return (state.jobs.values, ended)
        }
        for job in jobs { job.continuation.resume(throwing: ended) }
    }

    private func handle(_ frame: AgentFrame) {
        switch frame.kind {
        case .ready:
            self.readiness.yield(true)
        case .stdout, .stderr:
            let sink: Sink? = self.state.withLock { state in
                guard state.jobs[frame.job] != nil else { return nil }
                if frame.kind == .stdout {
                    state.jobs[frame.job]!.stdout += frame.payload
                } else {
                    state.jobs[frame.job]!.stderr += frame.payload
                }
                return state.jobs[frame.job]!.sink
            }
            sink?(frame.kind == .stdout ? .standardOutput : .standardError, frame.payload)
        case .ended:
            guard let job = self.state.withLock({ $0.jobs.removeValue(forKey: frame.job) }) else { return }
            switch AgentFrame.outcome(of: frame.payload) {
            case .success(let outcome):
                job.continuation.resume(returning: Reply(outcome: outcome, stdout: job.stdout, stderr: job.stderr))
            case .failure(let failure):
                // The agent could not start it (no fork, no pipe): as a shell reports a command it cannot run.
                let said = Array("lurusctl-agent: \(failure.reason)\n".utf8)
                job.continuation.resume(returning: Reply(outcome: .exited(126), stdout: job.stdout, stderr: said))
            }
        case .run, .input, .closeInput, .stop:
            break
        }
    }
}
