import Foundation

/// What `lurusctl releases` shows: one row per deployment kept on a node. Pure.
public enum ReleaseListing {
    public struct Row: Sendable, Hashable, Encodable {
        public var service: String
        public var node: String
        public var deployment: String
        public var release: String
        /// `serving`, `rollback` or empty.
        public var role: String
        public var deployedAt: String
        public var deployedBy: String
        public var commit: String
        public var configuration: String

        enum CodingKeys: String, CodingKey {
            case service, node, deployment, release, role, commit, configuration
            case deployedAt = "deployed_at"
            case deployedBy = "deployed_by"
        }
    }

    /// The rows of one node, by service, newest deployment first.
    public static func rows(node: String, _ observation: SystemdObservation) -> [Row] {
        observation.services.keys.sorted().flatMap { name -> [Row] in
            let service = observation[name]
            return service.deployments.sorted { ($0.value, $0.key) > ($1.value, $1.key) }.map { deployment, at in
                let record = service.records[deployment]
                let role =
                    deployment == service.serving ? "serving" : deployment == service.rollbackTarget ? "rollback" : ""
                return Row(
                    service: name,
                    node: node,
                    deployment: deployment,
                    release: Deployment.release(of: deployment)?.value ?? "?",
                    role: role,
                    deployedAt: Self.time(record?.deployedAt ?? at),
                    deployedBy: record?.deployedBy ?? "?",
                    commit: record?.commit ?? "?",
                    configuration: record?.configuration ?? "?"
                )
            }
        }
    }

    /// The rows of the K3s ledger on `server`, by service, newest deployment first.
    public static func rows(server: String, _ cluster: ClusterObservation, services: [String]) -> [Row] {
        services.sorted().flatMap { name -> [Row] in
            let workload = cluster.workloads[name]
            return cluster.ledger.entries(of: name).map { entry in
                let record = entry.record
                let role =
                    record.deployment == workload?.deployment
                    ? "serving" : record.deployment == workload?.previous ? "rollback" : ""
                return Row(
                    service: name,
                    node: server,
                    deployment: record.deployment,
                    release: record.release,
                    role: role,
                    deployedAt: Self.time(record.deployedAt),
                    deployedBy: record.deployedBy,
                    commit: record.commit ?? "?",
                    configuration: record.configuration
                )
            }
        }
    }

    /// The rows as aligned columns under a header.
    public static func table(_ rows: [Row]) -> String {
        guard !rows.isEmpty else { return "no releases deployed yet (lurusctl deploy)" }
        let header = ["SERVICE", "NODE", "DEPLOYMENT", "ROLE", "DEPLOYED (UTC)", "BY", "COMMIT", "BUILD"]
        let cells = rows.map {
            [$0.service, $0.node, $0.deployment, $0.role, $0.deployedAt, $0.deployedBy, $0.commit, $0.configuration]
        }
        let widths = header.indices.map { column in ([header] + cells).map { $0[column].count }.max() ?? 0 }
        return ([header] + cells).map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    static func time(_ seconds: Double) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }
}
