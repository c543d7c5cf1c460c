import LurusRemote
import Testing

/// The probe's answer as a lab host printed it (tabs between fields).
@Suite struct FactsProbeTests {
    static let recorded =
        [
            "os\tdebian\t12\tDebian GNU/Linux 12 (bookworm)", "hostname\theart",
            "machine-id\tac81991a60584b94b97c8b80cda8e14c",
            "arch\tx86_64", "kernel\t6.18.44-fc-v669", "cpus\t2", "memory\t24684084", "memory-available\t24146284",
            "uptime\t3572", "init\tsystemd", "virt\tsystemd-nspawn", "system-state\trunning",
            "disk\t/\toverlay\t264212084\t16633276\t82432336", "address\tlo\tinet\t127.0.0.1/8",
            "address\thost0\tinet\t10.77.0.12/24", "a-record-from-a-newer-probe\tignored",
        ].joined(separator: "\n") + "\n"

    @Test func parsesEveryRecord() {
        let facts = FactsProbe.parse(Self.recorded)
        #expect(facts.osID == "debian" && facts.osVersion == "12" && facts.osName == "Debian GNU/Linux 12 (bookworm)")
        #expect(facts.hostname == "heart")
        #expect(facts.architecture == "x86_64" && facts.kernel == "6.18.44-fc-v669")
        #expect(facts.cpus == 2 && facts.memoryKiB == 24_684_084 && facts.memoryAvailableKiB == 24_146_284)
        #expect(facts.initSystem == "systemd" && facts.systemState == "running")
        #expect(facts.container == "systemd-nspawn" && facts.isContainer)
        #expect(facts.rootDisk?.filesystem == "overlay" && facts.rootDisk?.usedKiB == 16_633_276)
        #expect(facts.addresses.map(\.address) == ["127.0.0.1/8", "10.77.0.12/24"])
    }

    @Test func aMachineThatIsNoContainerSaysNone() {
        #expect(!FactsProbe.parse("virt\t\n").isContainer)
        #expect(!FactsProbe.parse("virt\tnone\n").isContainer)
    }
}
