import LurusInventory
import Testing

@testable import LurusHealth

/// Each check's reading of what its command printed: outputs as the real tools print them (recorded on
/// the lab's Debian 12 nodes), read into a verdict, the measured value and a fix.
@Suite struct CheckReadingTests {
    static let context = ProbeContext(localTime: 1_800_000_000, timeoutSeconds: 4.5)

    static func read(_ check: HealthCheck, _ output: String, status: Int32? = 0) -> Finding {
        check.evaluate(ProbeAnswer(status: status, output: output), Self.context)
    }

    static var health: HealthSettings { HealthSettings() }

    @Test func theFullestFileSystemDecidesTheDiskCheck() {
        let check = NodeChecks.space("disk", flag: "-k", what: "used", health: Self.health)
        let df = """
            Filesystem     1024-blocks     Used Available Capacity Mounted on
            /dev/vda1         41152736 21576248  17463284      56% /
            /dev/vdb1        103081248 85000000  12813696      87% /var/lib

            """
        let finding = Self.read(check, df)
        #expect(finding.status == .warning)
        #expect(finding.summary == "/var/lib 87% used")
        #expect(finding.measure == .init("disk", 87, unit: "%", warning: 80, critical: 90, minimum: 0, maximum: 100))
        #expect(finding.fix?.contains("/var/lib") == true)
        #expect(Self.read(check, df.replacingOccurrences(of: "87%", with: "91%")).status == .critical)
        #expect(Self.read(check, df.replacingOccurrences(of: "87%", with: "12%")).status == .ok)
        #expect(Self.read(check, "df: cannot read table of mounted file systems\n", status: 1).status == .unknown)
    }

    @Test func aCheckCutOffIsCriticalAndSaysSo() {
        let finding = Self.read(NodeChecks.memory, "", status: nil)
        #expect(finding.status == .critical)
        #expect(finding.summary == "memory: no answer within 4.5s")
    }

    @Test func memoryIsWhatTheKernelSaysIsAvailable() {
        let meminfo = "MemTotal:        2014952 kB\nMemFree:          101204 kB\nMemAvailable:     150000 kB\n"
        let finding = Self.read(NodeChecks.memory, meminfo)
        #expect(finding.status == .warning, "7.4% available")
        #expect(finding.summary == "7.4% available of 1967 MiB")
    }

    @Test func theClockIsComparedWithThisMachine() {
        #expect(Self.read(NodeChecks.clock, "1800000000.4\n").status == .ok)
        let late = Self.read(NodeChecks.clock, "1799999996.9\n")
        #expect(late.status == .warning && late.summary == "-3.1s from this machine", "\(late)")
        #expect(Self.read(NodeChecks.clock, "1800000045\n").status == .critical)
    }

    @Test func failedUnitsAreNamed() {
        let finding = Self.read(NodeChecks.systemd, "lurus-gateway@green.service loaded failed failed lurus gateway\n")
        #expect(finding.status == .warning)
        #expect(finding.summary == "failed: lurus-gateway@green.service")
        #expect(Self.read(NodeChecks.systemd, "").status == .ok)
    }

    @Test func postgresReadinessAndArchiving() throws {
        let checks = DataChecks.postgres(port: 5432, seconds: 4.5)
        #expect(Self.read(checks[0], "", status: 0).status == .ok)
        let down = Self.read(checks[0], "", status: 2)
        #expect(down.status == .critical && down.summary == "no answer on port 5432")
        let connections = Self.read(checks[1], "92 100\n")
        #expect(connections.status == .warning && connections.summary == "92 of 100 connections")
        #expect(Self.read(checks[2], "off 0 0 -\n").summary == "archiving is off")
        #expect(Self.read(checks[2], "on 1800000000 0 -\n").status == .ok)
        let failing = Self.read(checks[2], "on 1799990000 1799999000 00000001000000000000002A\n")
        #expect(failing.status == .critical)
        #expect(failing.summary.contains("00000001000000000000002A"))
    }

    @Test func prometheusTargetsDownAreNamedAndAServiceDownIsCritical() {
        let targets = MonitoringChecks.prometheus(port: 9090, seconds: 4.5)[1]
        let none = #"{"status":"success","data":{"resultType":"vector","result":[]}}"# + "\n200"
        #expect(Self.read(targets, none).status == .ok)
        let exporter =
            #"{"status":"success","data":{"result":[{"metric":{"job":"node","instance":"lab:9100"},"value":[1,"0"]}]}}"#
        let one = Self.read(targets, exporter + "\n200")
        #expect(one.status == .warning && one.summary == "down: node lab:9100", "\(one)")
        let gateway = exporter.replacingOccurrences(of: #""job":"node""#, with: #""job":"lurus-gateway""#)
        #expect(Self.read(targets, gateway + "\n200").status == .critical)
    }

    @Test func aServicesHealthNamesItsFailingChecks() {
        let check = ClusterChecks.systemdService("gateway", service: "lurus-gateway", port: 18100, seconds: 4.5)
        let healthy =
            #"{"checks":{"catalog":{"detail":"3 providers","ok":true}},"service":"lurus-gateway","status":"ok"}"#
        #expect(Self.read(check, healthy + "\n200").status == .ok)
        let failing =
            #"{"checks":{"catalog":{"detail":"3 providers","ok":true},"usage_events":{"detail":"NATS down: spooling","ok":false}},"status":"failing"}"#
        let finding = Self.read(check, failing + "\n503")
        #expect(finding.status == .critical)
        #expect(finding.summary == "lurus-gateway unhealthy (503): usage_events: NATS down: spooling")
        let refused = Self.read(
            check,
            "curl: (7) Failed to connect to 10.77.0.11 port 18100: Connection refused\n",
            status: 7
        )
        #expect(refused.status == .critical)
        #expect(
            refused.summary
                == "lurus-gateway on port 18100: (7) Failed to connect to 10.77.0.11 port 18100: Connection refused"
        )
        #expect(refused.fix?.contains("lurusctl rollback") == true)
    }

    @Test func natsStreamsMissingAreAWarning() {
        let check = DataChecks.nats(monitorPort: 8222, seconds: 4.5, streams: HealthPlan.streams)[1]
        let jsz =
            #"{"account_details":[{"name":"$G","stream_detail":[{"name":"LLM_EVENTS"},{"name":"LOG_EVENTS"}]}]}"#
        let finding = Self.read(check, jsz + "\n200")
        #expect(finding.status == .warning && finding.summary == "no stream BILLING_EVENTS")
    }

    @Test func theNewestBackupsAgeAgainstTheLimit() {
        let check = DataChecks.backupAge("postgres", directory: "/t", maxAge: HealthSettings().backupMaxAge)
        let metric = { (stamp: Int) in
            "# HELP x\nlurus_backup_last_success_timestamp_seconds{cluster=\"c\",component=\"postgres\"} \(stamp)\n"
        }
        let fresh = Self.read(check, metric(1_800_000_000 - 3600))
        #expect(fresh.status == .ok && fresh.summary == "newest backup 1h 0m old (limit 26h)")
        #expect(Self.read(check, metric(1_800_000_000 - 27 * 3600)).status == .warning)
        #expect(Self.read(check, "none\n").summary == "no backup of postgres yet")
    }

    @Test func theAPIServersCertificateDaysLeft() {
        let check = ClusterChecks.k3sCertificate
        #expect(Self.read(check, "\(1_800_000_000 + 200 * 86_400)\n").status == .ok)
        let soon = Self.read(check, "\(1_800_000_000 + 20 * 86_400 + 3600)\n")
        #expect(soon.status == .warning && soon.summary == "the API server's certificate expires in 20 days")
        #expect(Self.read(check, "\(1_800_000_000 + 86_400)\n").status == .critical)
        #expect(Self.read(check, "Could not open file\n", status: 1).status == .unknown)
    }

    @Test func theCanaryNeedsAChoiceIn200() {
        let check = ClusterChecks.canary(model: "gpt-4o-mini", port: 18100, seconds: 4.5)
        #expect(check.script.contains("-H @\"$LURUS_CANARY_HEADERS\""), "the key from its file")
        #expect(!check.script.contains("Bearer"))
        let answered = #"{"choices":[{"message":{"content":"H"}}]}"# + "\n200 0.031"
        let ok = Self.read(check, answered)
        #expect(ok.status == .ok && ok.summary == "gpt-4o-mini answered in 31 ms", "\(ok)")
        let refused = Self.read(check, #"{"error":{"code":"invalid_api_key"}}"# + "\n401 0.002")
        #expect(refused.status == .critical && refused.fix?.contains("health.canary_key") == true, "\(refused)")
    }

    @Test func k3sNodesNotReadyAreNamed() {
        let check = ClusterChecks.k3s(seconds: 4.5)[2]
        let nodes =
            "brain   Ready      control-plane,master   3d   v1.31.4+k3s1\nheart   NotReady   <none>   3d   v1.31.4+k3s1\n"
        let finding = Self.read(check, nodes)
        #expect(finding.status == .critical && finding.summary == "not Ready: heart")
    }
}
