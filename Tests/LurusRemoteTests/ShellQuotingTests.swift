import Foundation
import LurusRemote
import LurusTestSupport
import Testing

/// Quoting is checked against a real shell: every hostile argument must come back byte for byte.
@Suite struct ShellQuotingTests {
    static let hostile: [[UInt8]] =
        [
            "plain", "", "two words", "it's", "'", "''", "\"double\"", "$(touch /tmp/lurus-pwned)", "`id`", "$HOME",
            "a\nb", "tab\there", "*", "?", "[a-z]", "~", "~root", "-rf", "--", "=x", "a;b", "a&&b", "a|b", "a>b", "\\",
            "!", "#comment", "ünïcödé", "%s", "{a,b}",
        ].map { Array($0.utf8) } + [[0xff, 0xfe, 0x80], [0x61, 0xc3]]  // not UTF-8

    @Test func everyArgumentSurvivesARealShell() async throws {
        let command = ShellCommand(bytes: [Array("printf".utf8), Array("%s\\0".utf8)] + Self.hostile)
        let line = String(decoding: Shell.render(command), as: UTF8.self)
        // Non-UTF-8 bytes cannot pass through a Swift String: compare those through a file instead.
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("quoting-\(UUID().uuidString).sh")
        try Data(Shell.render(command) + Array(" > \(script.path).out".utf8)).write(to: script)
        defer {
            try? FileManager.default.removeItem(at: script)
            try? FileManager.default.removeItem(atPath: script.path + ".out")
        }
        let result = try await ProcessRunner.run("/bin/sh", [script.path])
        #expect(result.status == 0, "\(result)\n\(line)")
        let output = try [UInt8](Data(contentsOf: URL(fileURLWithPath: script.path + ".out")))
        let fields = output.split(separator: 0, omittingEmptySubsequences: false).dropLast().map(Array.init)
        #expect(fields == Self.hostile)
        #expect(!FileManager.default.fileExists(atPath: "/tmp/lurus-pwned"))
    }

    @Test func plainWordsStayReadable() {
        #expect(Shell.quote("systemctl") == "systemctl")
        #expect(Shell.quote("/etc/lurus/app.conf") == "/etc/lurus/app.conf")
        #expect(Shell.quote("it's") == "'it'\\''s'")
        #expect(Shell.quote("") == "''")
        #expect(Shell.quote("~") == "'~'")
    }
}

@Suite struct RemoteRunnerTests {
    @Test func passesAnOrdinaryStatusThrough() {
        let (outcome, stderr) = RemoteRunner.decode(status: 3, stderr: Array("oops\n".utf8))
        #expect(outcome == .exited(3))
        #expect(stderr == Array("oops\n".utf8))
    }

    @Test func readsASignalAndRemovesItsLine() {
        let (outcome, stderr) = RemoteRunner.decode(
            status: 254,
            stderr: Array("partial\n\nlurusctl-runner: signal=9\n".utf8)
        )
        #expect(outcome == .signaled(9))
        #expect(stderr == Array("partial\n".utf8))
    }

    @Test func readsATimeout() {
        let (outcome, stderr) = RemoteRunner.decode(status: 254, stderr: Array("\nlurusctl-runner: timed-out\n".utf8))
        #expect(outcome == .timedOut)
        #expect(stderr.isEmpty)
    }

    @Test func readsAnExitStatusOf255() {
        let (outcome, stderr) = RemoteRunner.decode(status: 254, stderr: Array("\nlurusctl-runner: exit=255\n".utf8))
        #expect(outcome == .exited(255))
        #expect(stderr.isEmpty)
    }

    @Test func aCommandThatExits254ByItselfIsNotMistaken() {
        let (outcome, _) = RemoteRunner.decode(status: 254, stderr: Array("no report here\n".utf8))
        #expect(outcome == .exited(254))
    }
}
