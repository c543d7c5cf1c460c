import Foundation
import LurusTestSupport
import Subprocess
import Testing

@testable import LurusRemote

/// The frames, cut and joined in every way they can arrive.
@Suite struct AgentFrameTests {
    @Test func framesSurviveAnyCutOfTheStream() throws {
        let frames = [
            AgentFrame(.ready, job: 0, payload: Array("lurusctl-agent 1".utf8)),
            AgentFrame.run(job: 7, line: Array("echo hi".utf8), seconds: 90),
            AgentFrame(.stdout, job: 7, payload: [UInt8](repeating: 0x41, count: 70_000)),
            AgentFrame(.closeInput, job: 7),
            AgentFrame(.ended, job: 0xFFFF_FFFE, payload: Array("exit 3".utf8)),
        ]
        let stream = frames.flatMap(\.encoded)
        for piece in [1, 2, 8, 9, 10, 4096, stream.count] {
            var decoder = AgentFrameDecoder()
            var decoded: [AgentFrame] = []
            var offset = 0
            while offset < stream.count {
                let end = min(offset + piece, stream.count)
                decoded += try decoder.feed(stream[offset..<end])
                offset = end
            }
            #expect(decoded == frames, "cut every \(piece) bytes")
        }
        #expect(Array(frames[1].payload.prefix(4)) == [0, 0, 0, 90])
    }

    @Test func aStreamThatIsNotTheAgentsIsRefused() {
        var decoder = AgentFrameDecoder()
        #expect(throws: AgentFrameDecoder.Failure.unknownKind(UInt8(ascii: "b"))) {
            try decoder.feed(Array("bash: perl: command not found\n".utf8))
        }
    }

    @Test func endsAreReadExactly() {
        let read = { (text: String) in AgentFrame.outcome(of: Array(text.utf8)) }
        #expect(read("exit 0") == .success(.exited(0)))
        #expect(read("exit 255") == .success(.exited(255)))
        #expect(read("signal 9") == .success(.signaled(9)))
        #expect(read("timeout") == .success(.timedOut))
        let failure = "failed: fork: Resource temporarily unavailable"
        #expect(read(failure) == .failure(AgentStartFailure(reason: failure)))
    }
}

/// The real agent (the Perl a node runs), started here with no SSH in between: every guarantee of the
/// per-command runner, with many commands over one pipe.
@Suite struct RemoteAgentTests {
    init() { RemoteAgent.ignoreBrokenPipes() }

    func agent() async throws -> NodeAgent {
        let command = RemoteAgent.command(become: false)
        let configuration = Configuration(
            executable: .path("/usr/bin/perl"),
            arguments: Arguments(command.arguments.dropFirst().map { $0 + [0] })
        )
        return try #require(await NodeAgent.start(configuration, readyWithin: .seconds(10)))
    }

    func run(
        _ agent: NodeAgent,
        _ line: String,
        input: [UInt8] = [],
        seconds: Int = 30
    ) async throws
        -> NodeAgent.Reply
    {
        try await agent.run(Array(line.utf8), input: input, seconds: seconds, sink: nil)
    }

    /// Processes whose command line starts with `marker` (not the shells that started them).
    func processes(with marker: String) async throws -> [String] {
        let listing = try await ProcessRunner.run("/bin/ps", ["-eo", "args="])
        return listing.stdout.split(separator: "\n").map(String.init).filter { $0.hasPrefix(marker) }
    }

    func waitUntilGone(_ marker: String, within seconds: Int) async throws -> [String] {
        for _ in 0..<(seconds * 10) {
            if try await self.processes(with: marker).isEmpty { return [] }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await self.processes(with: marker)
    }

    @Test func reportsOutputStatusAndSignalsAsTheRunnerDoes() async throws {
        let agent = try await self.agent()
        defer { Task { await agent.close(within: .seconds(5)) } }
        let failed = try await self.run(agent, "echo out; echo err >&2; exit 7")
        #expect(failed.outcome == .exited(7))
        #expect(failed.stdout == Array("out\n".utf8))
        #expect(failed.stderr == Array("err\n".utf8))
        #expect(try await self.run(agent, "kill -TERM $$").outcome == .signaled(15))
        let missing = try await self.run(agent, "no-such-command --flag")
        #expect(missing.outcome == .exited(127))
        #expect(String(decoding: missing.stderr, as: UTF8.self).hasSuffix("no-such-command: not found\n"))
        #expect(try await self.run(agent, "exit 255").outcome == .exited(255))
        #expect(try await self.run(agent, "exit 143").outcome == .exited(143))
        #expect(try await self.run(agent, "cd /tmp").outcome == .exited(0), "a builtin without metacharacters")
        #expect(try await self.run(agent, "echo direct").stdout == Array("direct\n".utf8))
        let pipe = try await self.run(agent, "yes | head -n 1")
        #expect(pipe.outcome == .exited(0) && pipe.stderr.isEmpty, "commands get SIGPIPE's default back")
    }

    @Test func standardInputArrivesWholeAndACommandThatDoesNotReadItStillEnds() async throws {
        let agent = try await self.agent()
        defer { Task { await agent.close(within: .seconds(5)) } }
        var bytes = [UInt8](repeating: 0, count: 10 << 20)
        for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: index &* 2_654_435_761 >> 7) }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("agent-\(UUID().uuidString)")
        try Data(bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let local = try await ProcessRunner.run("/usr/bin/sha256sum", [file.path])
        let summed = try await self.run(agent, "sha256sum", input: bytes)
        #expect(String(decoding: summed.stdout, as: UTF8.self).prefix(64) == local.stdout.prefix(64))
        let ignoring = try await self.run(agent, "echo done", input: bytes)
        #expect(ignoring.outcome == .exited(0) && ignoring.stdout == Array("done\n".utf8))
        #expect(try await self.run(agent, "cat", input: []).stdout.isEmpty, "stdin ends when the input does")
    }

    @Test func aDeadlineStopsTheWholeProcessGroup() async throws {
        let agent = try await self.agent()
        defer { Task { await agent.close(within: .seconds(5)) } }
        let result = try await self.run(agent, "sleep 3101 & sleep 3102; echo never", seconds: 1)
        #expect(result.outcome == .timedOut)
        #expect(result.stdout.isEmpty)
        #expect(try await self.waitUntilGone("sleep 310", within: 5).isEmpty)
    }

    @Test func cancellingACommandStopsItsGroupAndLeavesTheOthersRunning() async throws {
        let agent = try await self.agent()
        defer { Task { await agent.close(within: .seconds(5)) } }
        let doomed = Task { try await self.run(agent, "sleep 3201 & sleep 3202") }
        let kept = Task { try await self.run(agent, "sleep 1; echo kept") }
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await self.processes(with: "sleep 320").count == 2)
        doomed.cancel()
        await #expect(throws: CancellationError.self) { try await doomed.value }
        #expect(try await self.waitUntilGone("sleep 320", within: 5).isEmpty)
        #expect(try await kept.value.stdout == Array("kept\n".utf8))
    }

    @Test func closingTheAgentStopsWhatStillRuns() async throws {
        let agent = try await self.agent()
        let running = Task { try await self.run(agent, "sleep 3301 & sleep 3302") }
        try await Task.sleep(for: .milliseconds(300))
        await agent.close(within: .seconds(10))
        #expect(try await running.value.outcome == .signaled(15), "stopped with TERM, and its end reported")
        #expect(try await self.waitUntilGone("sleep 330", within: 5).isEmpty)
        await #expect(throws: NodeAgent.Ended.self) { try await self.run(agent, "true") }
    }

    /// A command stopped the instant it starts (its run and the end of the agent's stdin read together):
    /// the TERM must reach the command, not the agent's own handlers in the child before it execs, which
    /// would leave it to the KILL 5 s later. Driven without `NodeAgent`, so both frames and the end of
    /// input are there before the agent reads anything.
    @Test func aCommandStoppedAsItStartsEndsByTheStop() async throws {
        let command = RemoteAgent.command(become: false)
        var input = AgentFrame.run(job: 1, line: Array("sleep 3601".utf8), seconds: 60).encoded
        input += AgentFrame(.closeInput, job: 1).encoded
        let result = try await Subprocess.run(
            .path("/usr/bin/perl"),
            arguments: Arguments(command.arguments.dropFirst().map { $0 + [0] }),
            input: .array(input),
            output: .bytes(limit: 1 << 20),
            error: .discarded
        )
        var decoder = AgentFrameDecoder()
        let frames = try decoder.feed(result.standardOutput)
        let end = try #require(frames.first { $0.kind == .ended && $0.job == 1 })
        // Ended by the TERM: the KILL 5 s later would say signal 9. (No bound on the time: on a loaded
        // machine starting perl alone has taken seconds.)
        #expect(String(decoding: end.payload, as: UTF8.self) == "signal 15")
        #expect(try await self.waitUntilGone("sleep 3601", within: 5).isEmpty)
    }

    /// The agent killed outright (as when its connection drops): a waiting command fails, it does not hang.
    @Test func anAgentThatDiesFailsItsCommands() async throws {
        let agent = try await self.agent()
        defer { Task { await agent.close(within: .seconds(5)) } }
        let running = Task { try await self.run(agent, "sleep 30") }
        try await Task.sleep(for: .milliseconds(300))
        _ = try? await self.run(agent, "kill -KILL $PPID")
        await #expect(throws: NodeAgent.Ended.self) { try await running.value }
        #expect(agent.hasEnded)
    }

    @Test func manyCommandsAtOnceKeepTheirOwnOutput() async throws {
        let agent = try await self.agent()
        defer { Task { await agent.close(within: .seconds(5)) } }
        let outputs = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<40 {
                group.addTask {
                    let reply = try await self.run(
                        agent,
                        "for i in 1 2 3; do echo \(index)-$i; done; echo e\(index) >&2"
                    )
                    return String(decoding: reply.stdout + reply.stderr, as: UTF8.self)
                }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(outputs == Set((0..<40).map { "\($0)-1\n\($0)-2\n\($0)-3\ne\($0)\n" }))
    }

    @Test func outputIsHandedOverWhileTheCommandRuns() async throws {
        let agent = try await self.agent()
        defer { Task { await agent.close(within: .seconds(5)) } }
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("go-\(UUID().uuidString)").path
        let (received, continuation) = AsyncStream<String>.makeStream()
        let waiting =
            "echo first; for i in $(seq 100); do [ -e \(marker) ] && break; sleep 0.1; done; [ -e \(marker) ] && echo second"
        async let running = agent.run(Array(waiting.utf8), input: [], seconds: 30) { _, bytes in
            continuation.yield(String(decoding: bytes, as: UTF8.self))
        }
        for await text in received where text.contains("first") { break }
        #expect(FileManager.default.createFile(atPath: marker, contents: nil))
        defer { try? FileManager.default.removeItem(atPath: marker) }
        #expect(try await running.stdout == Array("first\nsecond\n".utf8))
    }
}
