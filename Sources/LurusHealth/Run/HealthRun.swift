import Foundation
import LurusInventory
import LurusRemote

/// Runs the checks of every node at once, one round trip each, and reads the answers. The whole run ends
/// within `health.timeout` plus one second, whatever a node or a check does: a node that has not answered
/// by then is reported, never waited for.
public struct HealthRun: Sendable {
    public var inventory: Inventory
    public var nodes: [Node]
    public var transport: any NodeTransport
    /// `--canary`: the model, and the client key it is sent with.
    public var canary: (check: HealthPlan.Canary, key: [UInt8])?
    /// The checks of a node: the inventory's (`HealthPlan`), or a test's own.
    var checks: @Sendable (Node, Inventory, HealthPlan.Canary?) -> [HealthCheck] = {
        HealthPlan.checks(on: $0, in: $1, canary: $2)
    }

    public init(
        inventory: Inventory,
        nodes: [Node],
        transport: any NodeTransport,
        canary: (check: HealthPlan.Canary, key: [UInt8])? = nil
    ) {
        self.inventory = inventory
        self.nodes = nodes
        self.transport = transport
        self.canary = canary
    }

    /// The run's hard limit: the checks' timeout and one second for the round trip.
    public var deadline: Duration { .milliseconds(self.inventory.health.timeout.milliseconds) + .seconds(1) }

    public func run() async -> HealthReport {
        let start = ContinuousClock.now
        let results = await NodeFanOut.map(self.nodes) { node in await self.probe(node) }
        return HealthReport(
            results: results.flatMap { $0 },
            nodes: self.nodes.map(\.name),
            elapsed: ContinuousClock.now - start
        )
    }

    /// Writes each answering node's own results, in Prometheus's format, to `health.textfile_path` on that
    /// node (atomically: the node exporter reads the old file or the new one), within what is left of the
    /// deadline. A node that did not answer keeps its old file, whose run timestamp then goes stale.
    public func writeTextfiles(_ report: HealthReport, within limit: Duration) async -> [String] {
        guard let path = self.inventory.health.textfilePath else { return [] }
        let answered = self.nodes.filter { node in
            report.results.contains { $0.node == node.name && $0.check == "node" && $0.status == .ok }
        }
        let cluster = self.inventory.cluster
        let time = Date().timeIntervalSince1970
        let transport = self.transport
        let failures = await NodeFanOut.map(answered) { node -> String? in
            let text = PrometheusFormat.text(report, cluster: cluster, at: time, nodes: [node.name])
            let written = await Self.within(limit) {
                try await transport.upload(
                    .bytes(Array(text.utf8)),
                    to: path,
                    mode: 0o644,
                    owner: nil,
                    on: node,
                    timeout: .seconds(5)
                )
            }
            switch written {
            case .success: return nil
            case .failure(let error): return "\(node.name): \(error)"
            case nil: return "\(node.name): not written within \(Self.text(limit))"
            }
        }
        return failures.compactMap { $0 }
    }

    /// The results of `node`'s checks, led by the node's own (reachable, or why not).
    func probe(_ node: Node) async -> [CheckResult] {
        let checks = self.checks(node, self.inventory, self.canary?.check)
        let seconds = HealthPlan.checkSeconds(self.inventory.health)
        var files: [HealthProbe.SecretFile] = []
        if let canary = self.canary, checks.contains(where: { $0.name == "canary" }) {
            files.append(
                HealthProbe.SecretFile(
                    variable: ClusterChecks.canaryHeaders,
                    content: Array("authorization: Bearer ".utf8) + canary.key + [0x0A]
                )
            )
        }
        let script = HealthProbe.script(
            checks,
            mesh: HealthPlan.meshAddress(of: node, in: self.inventory),
            seconds: seconds,
            files: files
        )
        let command = RemoteCommand(
            ShellCommand(["sh", "-s"]),
            input: .bytes(Array(script.utf8)),
            timeout: self.deadline + .seconds(1)
        )
        let sent = Date().timeIntervalSince1970
        let started = ContinuousClock.now
        let transport = self.transport
        let outcome = await Self.within(self.deadline - .milliseconds(100)) {
            try await transport.run(command, on: node)
        }
        let received = Date().timeIntervalSince1970
        let nodeCheck = { (status: HealthStatus, summary: String, fix: String?) in
            CheckResult(node: node.name, check: "node", status: status, summary: summary, fix: fix)
        }
        let down = "doc/operations.md, \"A node is down\""
        switch outcome {
        case nil:
            return [nodeCheck(.critical, "no answer within \(Self.text(self.deadline))", "check the node: \(down)")]
        case .failure(let error as RemoteError):
            return [nodeCheck(.critical, "unreachable: \(error.message)", error.hint.isEmpty ? down : error.hint)]
        case .failure(let error):
            return [nodeCheck(.critical, "unreachable: \(error)", down)]
        case .success(let result):
            guard let answers = HealthProbe.answers(result.stdout, count: checks.count) else {
                let said = String(decoding: result.stderr, as: UTF8.self).split(separator: "\n").last ?? ""
                return [nodeCheck(.critical, "the probe was cut short \(said)", "check the node: \(down)")]
            }
            let context = ProbeContext(
                localTime: (sent + received) / 2,
                timeoutSeconds: seconds
            )
            let milliseconds = Double((ContinuousClock.now - started).milliseconds)
            return [
                CheckResult(
                    node: node.name,
                    check: "node",
                    status: .ok,
                    summary: "answered in \(Int(milliseconds)) ms",
                    measure: .init("probe_time", milliseconds.rounded(), unit: "ms", minimum: 0)
                )
            ]
                + zip(checks, answers).map { check, answer in
                    let finding = check.evaluate(answer, context)
                    return CheckResult(
                        node: node.name,
                        check: check.name,
                        status: finding.status,
                        summary: finding.summary,
                        measure: finding.measure,
                        fix: finding.fix
                    )
                }
        }
    }

    /// `work`'s result, or nil when `limit` passes first (then `work` is cancelled: its ssh is stopped).
    static func within<Value: Sendable>(
        _ limit: Duration,
        _ work: @escaping @Sendable () async throws -> Value
    ) async -> Result<Value, any Error>? {
        do {
            return try await withDeadline(limit, work).map { .success($0) }
        } catch {
            return .failure(error)
        }
    }

    static func text(_ duration: Duration) -> String {
        let milliseconds = duration.milliseconds
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(Double(milliseconds) / 1000)s"
    }
}
