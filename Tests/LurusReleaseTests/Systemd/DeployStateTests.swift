import Foundation
import LurusEngine
import LurusInventory
import LurusTestSupport
import Testing

@testable import LurusRelease

/// The pure halves of a systemd deploy: reading a node's state, naming deployments, where a rollback goes,
/// what pruning removes, and how a refused gate is reported.
@Suite struct DeployStateTests {
    static let first = ReleaseID("aaaaaaaaaaaa")!
    static let second = ReleaseID("bbbbbbbbbbbb")!

    /// What observe.sh prints for a node whose gateway serves `second` from green, `first` in blue.
    static let output = """
        service gateway
        slot blue aaaaaaaaaaaa-11111111
        state blue inactive
        slot green bbbbbbbbbbbb-11111111
        state green active
        current green
        release aaaaaaaaaaaa
        release bbbbbbbbbbbb
        release not-an-id
        deployment aaaaaaaaaaaa-11111111 1700000000
        record {"commit":"abc","configuration":"debug","deployedAt":1700000000,"deployedBy":"ops@desk","deployment":"aaaaaaaaaaaa-11111111","release":"aaaaaaaaaaaa","service":"gateway"}
        deployment bbbbbbbbbbbb-11111111 1700000100
        garbage that is skipped
        service provider
        slot blue
        state blue inactive
        slot green
        state green inactive
        current

        """

    @Test func theObservationSaysWhatServesAndWhatARollbackGoesTo() throws {
        let observation = SystemdObservation.parse(Self.output)
        let gateway = observation["gateway"]
        #expect(gateway.slots.serving == .green)
        #expect(gateway.slots.running == [.green])
        #expect(gateway.serving == "bbbbbbbbbbbb-11111111")
        #expect(gateway.rollbackTarget == "aaaaaaaaaaaa-11111111")
        #expect(gateway.releases == [Self.first, Self.second], "a folder that is no release id is not a release")
        #expect(
            gateway.deployments == ["aaaaaaaaaaaa-11111111": 1_700_000_000, "bbbbbbbbbbbb-11111111": 1_700_000_100]
        )
        #expect(gateway.records["aaaaaaaaaaaa-11111111"]?.deployedBy == "ops@desk")
        let provider = observation["provider"]
        #expect(provider.slots == SlotDecision.Observed())
        #expect(provider.serving == nil && provider.rollbackTarget == nil)
        #expect(observation["absent"].releases.isEmpty)
    }

    @Test func anUnchangedDeploymentRestartsNothingAndANewOneGoesToTheIdleSlot() {
        let gateway = SystemdObservation.parse(Self.output)["gateway"]
        #expect(SlotDecision.decide(gateway.slots, deployment: "bbbbbbbbbbbb-11111111") == .unchanged(.green))
        #expect(SlotDecision.decide(gateway.slots, deployment: "cccccccccccc-11111111") == .switchTo(.blue, link: true))
        #expect(
            SlotDecision.decide(gateway.slots, deployment: "aaaaaaaaaaaa-11111111") == .switchTo(.blue, link: false),
            "the idle slot holds it already (a rollback)"
        )
    }

    @Test func aDeploymentIsNamedByItsReleaseItsSettingsAndItsSecrets() {
        let environment = "A=\"1\"\n"
        let base = Deployment(release: Self.first, environment: environment, secretDigests: ["k 1"])
        #expect(base.name.hasPrefix("aaaaaaaaaaaa-") && base.name.count == 21)
        #expect(Deployment.release(of: base.name) == Self.first)
        #expect(Deployment(release: Self.first, environment: environment, secretDigests: ["k 1"]).name == base.name)
        #expect(Deployment(release: Self.second, environment: environment, secretDigests: ["k 1"]).name != base.name)
        #expect(Deployment(release: Self.first, environment: "A=\"2\"\n", secretDigests: ["k 1"]).name != base.name)
        #expect(
            Deployment(release: Self.first, environment: environment, secretDigests: ["k 2"]).name != base.name,
            "a rotated secret makes a new deployment, so the instance reading it is restarted"
        )
    }

    @Test func theEnvironmentFileQuotesWhatSystemdWouldExpand() throws {
        let inventory = try InventoryLoader.load(path: Repository.path("inventory/lab.yaml")).inventory
        var gateway = try #require(try ServiceCatalog.resolve(ServiceCatalog.gateway, in: inventory))
        gateway.environment.append(EnvironmentEntry("ODD", #"a "quoted" $HOME \ `x`"#))
        let file = try Deployment.environmentFile(of: gateway, release: Self.first, secrets: [:])
        #expect(file.contains("\nHTTP_PORT=\"18100\"\n"))
        #expect(file.contains("\nNATS_URL=\"nats://brain:4222\"\n"))
        #expect(file.contains(#"ODD="a \"quoted\" \$HOME \\ \`x\`""#))
        #expect(!file.contains("sk-"), "settings only, never a secret")
        #expect(file.hasSuffix("\nLURUS_RELEASE=\"aaaaaaaaaaaa\"\n"), "the release, for the service's build_info")
    }

    @Test func aRollbackGoesToThePreviousOrToANamedReleaseKeptHere() {
        let gateway = SystemdObservation.parse(Self.output)["gateway"]
        #expect(RollbackChoice.target(gateway, release: nil) == .deployment("aaaaaaaaaaaa-11111111"))
        #expect(RollbackChoice.target(gateway, release: Self.first) == .deployment("aaaaaaaaaaaa-11111111"))
        #expect(RollbackChoice.target(gateway, release: Self.second) == .deployment("bbbbbbbbbbbb-11111111"))
        #expect(
            RollbackChoice.target(gateway, release: ReleaseID("cccccccccccc")!)
                == .nothing("release cccccccccccc is not kept here (kept: aaaaaaaaaaaa, bbbbbbbbbbbb)")
        )
        #expect(
            RollbackChoice.target(SystemdObservation.Service(), release: nil) == .nothing("nothing of it is deployed")
        )
        var first = gateway
        first.slots.slots[.blue] = nil
        #expect(RollbackChoice.target(first, release: nil) == .nothing("no earlier release is kept to go back to"))
    }

    @Test func pruningKeepsTheNewestReleasesAndNeverTheServingOrTheRollbackTarget() {
        func name(_ number: Int, _ config: String = "11111111") -> String {
            String(format: "%012x", number) + "-" + config
        }
        var deployments: [String: Double] = [:]
        for number in 1...6 { deployments[name(number)] = Double(number) }
        deployments[name(5, "22222222")] = 5.5
        let releases = Set((1...6).map { ReleaseID(String(format: "%012x", $0))! })
        let (removedDeployments, removedReleases) = ReleaseRetention.prune(
            deployments: deployments,
            releases: releases,
            keep: 3,
            protected: [name(6), name(1)]
        )
        #expect(removedReleases.map(\.value) == [2, 3, 4].map { String(format: "%012x", $0) })
        #expect(
            removedDeployments == [name(2), name(3), name(4), name(5)],
            "release 5 is kept by its newest deployment; its older one goes"
        )
    }

    @Test func aRefusedGateIsReadBackWithItsAnswerStatusAndLog() throws {
        let output = """
            something before
            gate failed
            answer: curl: (7) Failed to connect to 127.0.0.1 port 38100
            status: ActiveState=failed Result=exit-code ExecMainStatus=3 NRestarts=0 \("")
            log: lab test: this release cannot start
            log: lurus-gateway@green.service: Main process exited, code=exited, status=3/NOTIMPLEMENTED

            """
        let failure = try #require(GateFailure.parse(output))
        #expect(failure.answer == "curl: (7) Failed to connect to 127.0.0.1 port 38100")
        #expect(failure.status == "ActiveState=failed Result=exit-code ExecMainStatus=3 NRestarts=0")
        #expect(failure.log.count == 2)
        #expect(failure.description.contains("    lab test: this release cannot start"))
        #expect(GateFailure.parse("switched to blue\n") == nil)
    }

    @Test func theBuildErrorShowsTheCompilersErrorLines() {
        let output =
            (1...40).map { "[\($0)/40] Compiling X" }.joined(separator: "\n")
            + "\n/src/main.swift:3:1: error: cannot find 'nope' in scope\nerror: fatalError"
        #expect(
            ServiceBuild.errors(in: output)
                == "  /src/main.swift:3:1: error: cannot find 'nope' in scope\n  error: fatalError"
        )
        #expect(ServiceBuild.errors(in: "a\nb").hasSuffix("  b"), "no error lines: the last lines")
    }

    @Test func theSourceMirrorHoldsExactlyThePackageAndKeepsWhatDidNotChange() throws {
        let root = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("mirror-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let package = root.appendingPathComponent("package")
        let mirror = root.appendingPathComponent("mirror")
        for (path, text) in [
            ("Package.swift", "// manifest"), ("Sources/a/main.swift", "print(1)"), ("Tests/t/T.swift", ""),
        ] {
            let url = package.appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(),
                withIntermediateDirectories: true
            )
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        #expect(try SourceMirror.sync(package, to: mirror) == 3)
        let main = mirror.appendingPathComponent("Sources/a/main.swift")
        let stamp = try FileManager.default.attributesOfItem(atPath: main.path)[.modificationDate] as? Date
        #expect(try SourceMirror.sync(package, to: mirror) == 0, "nothing changed, nothing written")
        #expect(try FileManager.default.attributesOfItem(atPath: main.path)[.modificationDate] as? Date == stamp)
        try FileManager.default.removeItem(at: package.appendingPathComponent("Tests/t/T.swift"))
        try "print(2)".write(
            to: package.appendingPathComponent("Sources/a/main.swift"),
            atomically: true,
            encoding: .utf8
        )
        #expect(try SourceMirror.sync(package, to: mirror) == 1)
        #expect(try String(contentsOf: main, encoding: .utf8) == "print(2)")
        #expect(!FileManager.default.fileExists(atPath: mirror.appendingPathComponent("Tests/t/T.swift").path))
    }

    @Test func theAuditRecordNamesEachSwitchWithItsDigestAndEachFailure() {
        var switched = SystemdDeployer.Outcome(
            node: "brain",
            service: "gateway",
            deployment: "bbbbbbbbbbbb-11111111",
            result: .switched(.green),
            shippedBytes: 10,
            removed: []
        )
        switched.digest = "abc123"
        let unchanged = SystemdDeployer.Outcome(
            node: "heart",
            service: "gateway",
            deployment: "bbbbbbbbbbbb-11111111",
            result: .unchanged,
            shippedBytes: 0,
            removed: []
        )
        let failed = SystemdDeployer.Outcome(
            node: "lab",
            service: "gateway",
            deployment: "bbbbbbbbbbbb-11111111",
            result: .failed(ReleaseError("gate", hint: "fix")),
            shippedBytes: 0,
            removed: []
        )
        let report = DeployReport(
            outcomes: [switched, unchanged, failed],
            unreachable: [NodeFailure(node: "ghost", message: "unreachable")]
        )
        #expect(!report.succeeded && report.switched == 1 && report.shippedBytes == 10)
        let record = report.record(interrupted: false)
        #expect(record.result == .failed)
        #expect(record.touched == ["brain", "ghost", "lab"], "an unchanged node is not touched")
        #expect(
            record.nodes.first { $0.name == "brain" }?.changes == [
                "gateway bbbbbbbbbbbb-11111111 (slot green, sha256 abc123)"
            ]
        )
        #expect(record.nodes.first { $0.name == "lab" }?.failed == 1)
        #expect(DeployReport(outcomes: [unchanged]).record(interrupted: true).result == .interrupted)
        #expect(DeployReport(outcomes: [unchanged]).record(interrupted: false).touched.isEmpty)
    }
}
