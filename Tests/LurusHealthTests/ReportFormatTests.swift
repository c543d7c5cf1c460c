import Foundation
import LurusTestSupport
import Testing

@testable import LurusHealth

/// The report as Nagios, JSON and the textfile collector read it; the textfile is checked by the real
/// `promtool check metrics`.
@Suite struct ReportFormatTests {
    static let report = HealthReport(
        results: [
            CheckResult(
                node: "brain",
                check: "node",
                status: .ok,
                summary: "answered in 41 ms",
                measure: .init("probe_time", 41, unit: "ms", minimum: 0)
            ),
            CheckResult(
                node: "brain",
                check: "disk",
                status: .warning,
                summary: "/ 84% used",
                measure: .init("disk", 84, unit: "%", warning: 80, critical: 90, minimum: 0, maximum: 100),
                fix: "free space"
            ),
            CheckResult(
                node: "lab",
                check: "service.log",
                status: .critical,
                summary: "lurus-logs on port 18102: refused",
                fix: "journalctl -u 'lurus-log@*'"
            ),
            CheckResult(node: "lab", check: "clickhouse", status: .ok, summary: "ClickHouse answers"),
        ],
        nodes: ["brain", "lab"],
        elapsed: .milliseconds(812)
    )

    @Test func nagiosPutsTheWorstFirstWithPerfdata() {
        let text = NagiosFormat.text(Self.report)
        let lines = text.split(separator: "\n")
        #expect(
            lines[0]
                == "LURUS CRITICAL - 4 checks on 2 nodes: 1 warning, 1 critical; lab service.log: lurus-logs on port 18102: refused"
                + " | 'brain_probe_time'=41ms;;;0 'brain_disk'=84%;80;90;0;100"
        )
        #expect(
            lines[1] == "CRITICAL lab service.log: lurus-logs on port 18102: refused (fix: journalctl -u 'lurus-log@*')"
        )
        #expect(lines[2] == "WARNING  brain disk: / 84% used (fix: free space)")
        #expect(lines[3] == "OK       brain node: answered in 41 ms")
        #expect(lines.count == 5)
        #expect(NagiosFormat.text(Self.report, verbose: false).split(separator: "\n").count == 3)
        #expect(Self.report.status == .critical && Self.report.status.rawValue == 2)
    }

    @Test func unknownRanksBetweenWarningAndCritical() {
        #expect(HealthStatus.worst([.ok, .warning, .unknown]) == .unknown)
        #expect(HealthStatus.worst([.unknown, .critical]) == .critical)
        #expect(HealthStatus.worst([]) == .ok)
    }

    @Test func jsonHasEveryResult() throws {
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(JSONFormat.text(Self.report).utf8)) as? [String: Any]
        )
        #expect(object["status"] as? String == "CRITICAL" && object["exit"] as? Int == 2)
        let checks = try #require(object["checks"] as? [[String: Any]])
        #expect(checks.count == 4)
        #expect(checks[1]["fix"] as? String == "free space")
        #expect((checks[1]["measure"] as? [String: Any])?["value"] as? Double == 84)
    }

    @Test func theTextfilePassesPromtool() async throws {
        let text = PrometheusFormat.text(Self.report, cluster: "lurus-\"lab\"", at: 1_800_000_000)
        #expect(
            text.contains(
                "lurus_health_check_status{cluster=\"lurus-\\\"lab\\\"\",node=\"lab\",check=\"service.log\"} 2\n"
            )
        )
        #expect(text.contains("lurus_health_last_run_timestamp_seconds{cluster=\"lurus-\\\"lab\\\"\"} 1800000000\n"))
        let check = try await ProcessRunner.run("/usr/bin/promtool", ["check", "metrics"], input: Array(text.utf8))
        #expect(check.status == 0, "\(check)\n\(text)")
        let brainOnly = PrometheusFormat.text(Self.report, cluster: "c", at: 1, nodes: ["brain"])
        #expect(!brainOnly.contains("node=\"lab\"") && brainOnly.contains("lurus_health_status{cluster=\"c\"} 1\n"))
    }
}
