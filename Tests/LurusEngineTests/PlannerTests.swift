import LurusInventory
import LurusRemote
import Testing

@testable import LurusEngine

/// The planner is pure: these give it observed states and check the plan, with no node involved.
@Suite struct PlannerTests {
    let node = Node(name: "brain", address: .ipv4("10.0.0.1"))

    func unit(_ resources: [Resource.Kind], component: String = "base") -> WorkUnit {
        WorkUnit(
            id: UnitID(node: "brain", component: component),
            resources: resources.map { Resource($0, component: component) }
        )
    }

    static let absentFile = ObservedState(values: ["type": "absent"])
    static let activeService = ObservedState(values: [
        "LoadState": "loaded", "UnitFileState": "enabled", "ActiveState": "active", "ConditionResult": "yes",
    ])

    @Test func serviceRestartsOnceHoweverManyFilesChanged() {
        let config = File(path: "/etc/app/a.conf", text: "a\n")
        let other = File(path: "/etc/app/b.conf", text: "b\n")
        let service = Service("app", restartOn: [config.id, other.id])
        let plan = Planner.plan(
            node: self.node,
            units: [self.unit([.file(config), .file(other), .service(service)])],
            observed: [config.id: Self.absentFile, other.id: Self.absentFile, service.id: Self.activeService]
        )
        let actions = plan.units[0].changes.map(\.difference.action)
        #expect(actions == [.create, .create, .restart])
        let steps = Planner.steps(of: plan.units[0])
        #expect(steps.filter { $0.title == "restart app" }.count == 1)
    }

    /// A service not running yet whose files change in the same run restarts instead of starting: the
    /// package installed earlier in the run may have started it with its own defaults.
    @Test func aStoppedServiceConfiguredInTheRunRestartsInsteadOfStarting() {
        let config = File(path: "/etc/app/a.conf", text: "a\n")
        let service = Service("app", restartOn: [config.id])
        let stopped = ObservedState(values: ["LoadState": "not-found", "UnitFileState": "", "ActiveState": "inactive"])
        let fresh = Planner.plan(
            node: self.node,
            units: [self.unit([.file(config), .service(service)])],
            observed: [config.id: Self.absentFile, service.id: stopped]
        )
        #expect(fresh.units[0].changes.last?.difference.details == ["enable", "restart"])
        let unconfigured = Planner.plan(
            node: self.node,
            units: [self.unit([.service(Service("other"))])],
            observed: [ResourceID(kind: "service", name: "other"): stopped]
        )
        #expect(unconfigured.units[0].changes.last?.difference.details == ["enable", "start"])
    }

    /// A guarded command whose guard holds still runs when a resource it refreshes on changes in the run
    /// (a rotated password file), and not otherwise.
    @Test func commandRunsWhenARefreshingResourceChanges() {
        let password = File(path: "/etc/lurus/secrets/x", text: "new\n", mode: 0o600, sensitive: true)
        let command = Command("set x", ShellCommand(["true"]), unless: ShellCommand(["true"]), refreshOn: [password.id])
        let met = ObservedState(values: ["guard": "met"])
        let rotated = Planner.plan(
            node: self.node,
            units: [self.unit([.file(password), .command(command)])],
            observed: [password.id: Self.absentFile, command.id: met]
        )
        #expect(rotated.units[0].changes.map(\.difference.action) == [.create, .run])
        let same = Planner.plan(node: self.node, units: [self.unit([.command(command)])], observed: [command.id: met])
        #expect(same.units[0].changes.isEmpty)
    }

    /// A second pass replaces the results of the units it ran and keeps the rest.
    @Test func aLaterPassReplacesItsUnitsResults() {
        let base = UnitID(node: "brain", component: "base")
        let k3s = UnitID(node: "brain", component: "k3s-server")
        let first = RunResult(
            nodes: [
                NodeOutcome(
                    node: "brain",
                    units: [UnitResult(unit: base, status: .changed), UnitResult(unit: k3s, status: .unchanged)]
                )
            ],
            interrupted: false
        )
        let second = RunResult(
            nodes: [NodeOutcome(node: "brain", units: [UnitResult(unit: k3s, status: .failed)])],
            interrupted: false
        )
        let merged = first.merging(second)
        #expect(merged.nodes[0].units.map(\.status) == [.changed, .failed])
        #expect(merged.failed == 1)
    }

    @Test func unchangedConfigurationRestartsNothing() {
        let config = File(path: "/etc/app/a.conf", text: "a\n")
        let service = Service("app", restartOn: [config.id])
        let same = ObservedState(values: [
            "type": "file", "meta": "644 root root 2", "sha256": config.sha256,
        ])
        let plan = Planner.plan(
            node: self.node,
            units: [self.unit([.file(config), .service(service)])],
            observed: [config.id: same, service.id: Self.activeService]
        )
        #expect(plan.changeCount == 0)
        #expect(plan.units[0].unchanged == 2)
    }

    @Test func packagesInstallInOneCommand() {
        let names = ["curl", "chrony", "jq"]
        let missing = ObservedState(values: ["status": "un", "version": ""])
        let plan = Planner.plan(
            node: self.node,
            units: [self.unit(names.map { .package(Package($0)) })],
            observed: Dictionary(uniqueKeysWithValues: names.map { (ResourceID(kind: "package", name: $0), missing) })
        )
        let steps = Planner.steps(of: plan.units[0])
        #expect(steps.count == 1)
        #expect(steps.first?.command == .aptInstall(names))
        #expect(steps.first?.changes.count == 3)
    }

    @Test func pinnedVersionIsAPrefix() {
        let package = Package("postgresql-15", version: "15.8")
        let installed = ObservedState(values: ["status": "ii", "version": "15.8-0+deb12u1"])
        let older = ObservedState(values: ["status": "ii", "version": "15.6-0+deb12u1"])
        #expect(package.compare(with: installed, changed: []) == .none)
        #expect(package.compare(with: older, changed: []).details == ["version 15.6-0+deb12u1 -> 15.8*"])
    }

    @Test func unmetStartConditionIsANoticeNotDrift() {
        let service = Service("chrony")
        let skipped = ObservedState(values: [
            "LoadState": "loaded", "UnitFileState": "enabled", "ActiveState": "inactive", "ConditionResult": "no",
            "ConditionTimestampMonotonic": "1234",
        ])
        let difference = service.compare(with: skipped, changed: [])
        #expect(difference.action == .none)
        #expect(difference.notice?.contains("start condition") == true)
        // Not installed yet: systemd reports ConditionResult=no for a unit it never checked; that is no notice.
        let missing = ObservedState(values: [
            "LoadState": "not-found", "ActiveState": "inactive", "ConditionResult": "no",
        ])
        #expect(service.compare(with: missing, changed: []).details == ["enable", "start"])
    }

    @Test func conflictingResourcesAreRefused() {
        let one = self.unit([.file(File(path: "/etc/x", text: "1"))], component: "a")
        let two = self.unit([.file(File(path: "/etc/x", text: "2"))], component: "b")
        #expect(throws: PlanningError.self) { try Planner.resources(of: [one, two]) }
        let same = self.unit([.file(File(path: "/etc/x", text: "1"))], component: "c")
        #expect((try? Planner.resources(of: [one, same]))?.count == 1)
    }

    @Test func fileBlockKeepsTheRestOfTheFile() {
        let block = FileBlock(path: "/etc/hosts", name: "nodes", lines: ["10.0.0.1 brain"])
        let original = "127.0.0.1 localhost\n203.0.113.80 deb.debian.org\n"
        let once = block.merged(into: original)
        #expect(once.hasPrefix(original))
        #expect(once.contains("10.0.0.1 brain\n# END lurusctl nodes\n"))
        #expect(block.merged(into: once) == once)
        let changed = FileBlock(path: "/etc/hosts", name: "nodes", lines: ["10.0.0.2 brain"]).merged(
            into: once + "10.9.9.9 mine\n"
        )
        #expect(
            changed.contains("10.0.0.2 brain") && !changed.contains("10.0.0.1 brain")
                && changed.hasSuffix("10.9.9.9 mine\n")
        )
    }

    @Test func truncatedProbeAnswerIsRejected() {
        let resources = [Resource(.group(Group("a")), component: "t"), Resource(.group(Group("b")), component: "t")]
        let full = "::lurus-probe 0\nexists=yes\n::lurus-probe 1\nexists=no\n::lurus-probe end\n"
        #expect(ProbeBatch.parse(Array(full.utf8), count: 2)?.map { $0["exists"] } == ["yes", "no"])
        let cut = "::lurus-probe 0\nexists=yes\n::lurus-probe 1\n"
        #expect(ProbeBatch.parse(Array(cut.utf8), count: resources.count) == nil)
    }
}
