import Foundation
import LurusRemote

/// Every result of one run, and what it adds up to.
public struct HealthReport: Sendable {
    public var results: [CheckResult]
    public var nodes: [String]
    public var elapsed: Duration

    public init(results: [CheckResult], nodes: [String], elapsed: Duration) {
        self.results = results
        self.nodes = nodes
        self.elapsed = elapsed
    }

    /// The worst result: the exit status.
    public var status: HealthStatus { HealthStatus.worst(self.results.map(\.status)) }

    /// The results that are not ok, worst first, in node and check order within a status.
    public var problems: [CheckResult] {
        self.results.enumerated().filter { $0.element.status != .ok }
            .sorted { ($1.element.status, $0.offset) < ($0.element.status, $1.offset) }
            .map(\.element)
    }

    public var milliseconds: Int { Int(self.elapsed.milliseconds) }
}
