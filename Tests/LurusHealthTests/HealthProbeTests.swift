import Foundation
import LurusTestSupport
import Testing

@testable import LurusHealth

/// The probe script run by this machine's own `sh` (as a node runs it): every check at once, each cut
/// off at its deadline, answers that cannot be mistaken for markers, and an output cut short refused.
@Suite struct HealthProbeTests {
    static func check(_ name: String, _ script: String) -> HealthCheck {
        HealthCheck(name, script: script) { answer, _ in Finding(.ok, answer.output) }
    }

    @Test func checksRunAtOnceAndAHungOneIsCutOffAtItsDeadline() async throws {
        let checks = [
            Self.check("quick", "echo \"$MESH $MESH_URL_HOST\""),
            Self.check("hung", "sleep 30"),
            Self.check("fails", "echo nope >&2; exit 3"),
            Self.check("marker", "printf '::lurus-health 0 0\\n::lurus-health end\\n'"),
            Self.check("slow", "sleep 0.6; echo done"),
        ]
        // A deadline of 5 s: the quick checks answer within it even with the whole suite running beside.
        let script = HealthProbe.script(checks, mesh: .literal("fd7a::1"), seconds: 5)
        let start = ContinuousClock.now
        let result = try await ProcessRunner.run("/bin/sh", ["-s"], input: Array(script.utf8), timeout: 20)
        let elapsed = ContinuousClock.now - start
        #expect(result.status == 0, "\(result)")
        // The hung check (30 s) was cut off at its deadline (5 s); the others ran beside it. The bound is
        // loose: the tests run many at once (figures are lurus-bench's).
        #expect(elapsed < .seconds(20), "\(elapsed)")
        let answers = try #require(HealthProbe.answers(Array(result.stdout.utf8), count: checks.count))
        #expect(answers[0] == ProbeAnswer(status: 0, output: "fd7a::1 [fd7a::1]\n"))
        #expect(answers[1].status == nil, "a check cut off has no status")
        #expect(answers[2] == ProbeAnswer(status: 3, output: "nope\n"))
        #expect(answers[3].output == "::lurus-health 0 0\n::lurus-health end\n", "an answer is only an answer")
        #expect(answers[4] == ProbeAnswer(status: 0, output: "done\n"))
    }

    /// Found on the lab: a node exporter's /metrics is hundreds of kilobytes, and psql run as postgres
    /// cannot enter root's home. An answer keeps its end (where curl's status code is), and checks run in /.
    @Test func aLongAnswerKeepsItsEndAndChecksRunInTheRoot() async throws {
        let checks = [
            Self.check("long", "head -c 300000 /dev/zero | tr '\\0' x; printf '\\n200'"), Self.check("cwd", "pwd"),
        ]
        let script = HealthProbe.script(checks, mesh: .literal("10.0.0.1"), seconds: 5)
        let result = try await ProcessRunner.run("/bin/sh", ["-s"], input: Array(script.utf8), timeout: 20)
        let answers = try #require(HealthProbe.answers(Array(result.stdout.utf8), count: 2))
        #expect(answers[0].output.count == 65536 && answers[0].output.hasSuffix("x\n200"))
        #expect(answers[1].output == "/\n")
        let node = HTTPChecks.endpoint("n", what: "it", port: 9100, path: "/metrics", seconds: 1, fix: "f", body: false)
        #expect(node.script.contains(" -o /dev/null "))
    }

    /// The canary's key reaches its check as a 0600 file named by a variable, written from the script (on
    /// stdin) by shell builtins and base64's stdin: never an argument of a process.
    @Test func aSecretFileIsWrittenPrivateBeforeTheChecks() async throws {
        let key = "sk-canary-'\"$(x)`y`"
        let checks = [Self.check("file", "stat -c %a \"$LURUS_CANARY_HEADERS\"; cat \"$LURUS_CANARY_HEADERS\"")]
        let script = HealthProbe.script(
            checks,
            mesh: .literal("10.0.0.1"),
            seconds: 5,
            files: [.init(variable: "LURUS_CANARY_HEADERS", content: Array("authorization: Bearer \(key)\n".utf8))]
        )
        #expect(!script.contains(key), "the key in the script's text")
        let result = try await ProcessRunner.run("/bin/sh", ["-s"], input: Array(script.utf8), timeout: 20)
        let answers = try #require(HealthProbe.answers(Array(result.stdout.utf8), count: 1))
        #expect(answers[0].output == "600\nauthorization: Bearer \(key)\n")
    }

    @Test func anOutputCutShortIsRefused() async throws {
        let checks = [Self.check("a", "echo a"), Self.check("b", "echo b")]
        let script = HealthProbe.script(checks, mesh: .literal("10.0.0.1"), seconds: 5)
        let result = try await ProcessRunner.run("/bin/sh", ["-s"], input: Array(script.utf8), timeout: 20)
        let whole = Array(result.stdout.utf8)
        #expect(HealthProbe.answers(whole, count: 2) != nil)
        let cut = result.stdout.components(separatedBy: "::lurus-health end")[0]
        #expect(HealthProbe.answers(Array(cut.utf8), count: 2) == nil)
    }

    @Test func theMeshAddressIsReadFromTheInterfaceWhenTheInventoryHasNone() async throws {
        let checks = [Self.check("mesh", "echo \"[$MESH]\"")]
        let script = HealthProbe.script(checks, mesh: .interface("lo"), seconds: 5)
        let result = try await ProcessRunner.run("/bin/sh", ["-s"], input: Array(script.utf8), timeout: 20)
        let answers = try #require(HealthProbe.answers(Array(result.stdout.utf8), count: 1))
        #expect(answers[0].output == "[127.0.0.1]\n", "lo's IPv4 address")
    }
}
