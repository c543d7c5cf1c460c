import LurusEngine

/// What a deploy or rollback did on every node: each service's outcome, and the nodes that could not be
/// read at all.
public struct DeployReport: Sendable, Hashable {
    public var outcomes: [SystemdDeployer.Outcome]
    /// Nodes lost before anything could be done there, with why.
    public var unreachable: [NodeFailure]

    public init(outcomes: [SystemdDeployer.Outcome] = [], unreachable: [NodeFailure] = []) {
        self.outcomes = outcomes
        self.unreachable = unreachable
    }

    public var failures: [(node: String, service: String, error: ReleaseError)] {
        self.outcomes.compactMap { outcome in
            if case .failed(let error) = outcome.result { return (outcome.node, outcome.service, error) }
            return nil
        }
    }

    public var succeeded: Bool { self.unreachable.isEmpty && self.failures.isEmpty }
    public var switched: Int {
        self.outcomes.filter {
            switch $0.result {
            case .switched, .rolledOut: true
            case .unchanged, .imported, .failed: false
            }
        }.count
    }
    public var unchanged: Int {
        self.outcomes.filter { if case .unchanged = $0.result { true } else { false } }.count
    }
    public var shippedBytes: Int { self.outcomes.map(\.shippedBytes).reduce(0, +) }

    /// The audit record: per node, the services switched (with the deployment) and the failures.
    public func record(interrupted: Bool) -> OperationRecord {
        var nodes: [String: AuditNode] = [:]
        for outcome in self.outcomes {
            var node = nodes[outcome.node] ?? AuditNode(name: outcome.node, changed: 0, failed: 0, changes: [])
            switch outcome.result {
            case .unchanged: break
            case .switched(let slot):
                node.changed += 1
                let digest = outcome.digest.map { ", sha256 \($0)" } ?? ""
                node.changes.append("\(outcome.service) \(outcome.deployment) (slot \(slot.rawValue)\(digest))")
            case .rolledOut:
                node.changed += 1
                let digest = outcome.digest.map { " (image \($0))" } ?? ""
                node.changes.append("\(outcome.service) \(outcome.deployment) rolled out\(digest)")
            case .imported:
                node.changed += 1
                node.changes.append("\(outcome.service) image \(outcome.digest ?? "?") imported and pinned")
            case .failed:
                node.failed += 1
            }
            nodes[outcome.node] = node
        }
        for failure in self.unreachable {
            nodes[failure.node] = AuditNode(name: failure.node, changed: 0, failed: 1, changes: [])
        }
        let sorted = nodes.values.sorted { $0.name < $1.name }
        let result: AuditResult = interrupted ? .interrupted : self.succeeded ? .ok : .failed
        return OperationRecord(
            result: result,
            nodes: sorted,
            touched: sorted.filter { $0.changed > 0 || $0.failed > 0 }.map(\.name)
        )
    }
}
