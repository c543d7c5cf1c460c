import Foundation
import LurusRelease

/// The services' part of `up` and `deploy`, and the result of `rollback`: the plan (which node gets which
/// deployment) and the outcome per node and service, as text or JSON lines.
enum DeployReportPrinter {
    static func print(_ plan: DeployPlan, json: Bool, redact: @Sendable (String) -> String) {
        if json {
            for entry in plan.entries {
                let change: String
                switch entry.decision {
                case .unchanged: change = "unchanged"
                case .switchTo(let slot, _): change = "switch to \(slot.rawValue)"
                }
                Terminal.standardOutput.write(
                    (try? JSONLine.encode(
                        .event(
                            "deploy_plan",
                            JSONDeployPlanned(
                                node: entry.node.name,
                                service: entry.target.service.name,
                                release: entry.target.deployment.release.value,
                                deployment: entry.target.deployment.name,
                                change: change,
                                ships: entry.ships
                            )
                        )
                    )) ?? ""
                )
            }
            for line in plan.rollout.map(Self.planned) ?? [] {
                Terminal.standardOutput.write((try? JSONLine.encode(.event("deploy_plan", line))) ?? "")
            }
            return
        }
        Terminal.standardOutput.write("Services (release \(plan.release)):")
        for line in plan.lines { Terminal.standardOutput.write(redact("  \(line)")) }
        if plan.changeCount == 0 && plan.unreachable.isEmpty {
            Terminal.standardOutput.write("  nothing to deploy: every node serves this release with this configuration")
        }
    }

    /// The K3s part of a plan as JSON events: an image per node, a rollout per service on the server.
    static func planned(_ rollout: K3sRolloutPlan) -> [JSONDeployPlanned] {
        rollout.images.compactMap { image in
            guard let service = rollout.services.first(where: { $0.service.name == image.service }) else { return nil }
            let change: String
            switch image.state {
            case .pinned: change = "unchanged"
            case .unpinned: change = "pin image"
            case .missing: change = "import image"
            }
            return JSONDeployPlanned(
                node: image.node.name,
                service: image.service,
                release: service.entry.record.release,
                deployment: service.entry.deployment,
                change: change,
                ships: image.state == .missing
            )
        }
            + rollout.services.map { service in
                JSONDeployPlanned(
                    node: rollout.server.name,
                    service: service.service.name,
                    release: service.entry.record.release,
                    deployment: service.entry.deployment,
                    change: service.changes ? "roll out" : "unchanged",
                    ships: false
                )
            }
    }

    /// The outcome, one line per node and service, then a total.
    static func summary(_ report: DeployReport, verb: String, elapsed: Duration) -> String {
        var lines: [String] = []
        for outcome in report.outcomes {
            switch outcome.result {
            case .unchanged:
                lines.append("\(outcome.node)  \(outcome.service)  \(outcome.deployment)  unchanged")
            case .switched(let slot):
                var line = "\(outcome.node)  \(outcome.service)  \(outcome.deployment)  serving from \(slot.rawValue)"
                if outcome.shippedBytes > 0 { line += ", shipped \(DeployPlan.megabytes(outcome.shippedBytes))" }
                if !outcome.removed.isEmpty { line += ", removed \(outcome.removed.count) old" }
                lines.append(line)
            case .rolledOut:
                lines.append("\(outcome.node)  \(outcome.service)  \(outcome.deployment)  rolled out, pods ready")
            case .imported:
                var line = "\(outcome.node)  \(outcome.service)  image \(outcome.digest ?? "?")  "
                line +=
                    outcome.shippedBytes > 0
                    ? "imported \(DeployPlan.megabytes(outcome.shippedBytes)), pinned" : "pinned"
                lines.append(line)
            case .failed(let error):
                lines.append("\(outcome.node)  \(outcome.service)  FAILED: \(error.message)\n  (\(error.hint))")
            }
        }
        for failure in report.unreachable { lines.append("\(failure.node)  FAILED: \(failure.message)") }
        let failed = report.failures.count + report.unreachable.count
        lines.append(
            "\(verb): \(report.switched) switched, \(report.unchanged) "
                + "unchanged, \(failed) failed in \(RunReporter.format(elapsed))."
        )
        return lines.joined(separator: "\n")
    }

    static func json(_ report: DeployReport) -> JSONDeploySummary {
        JSONDeploySummary(
            switched: report.switched,
            failed: report.failures.count + report.unreachable.count,
            shippedBytes: report.shippedBytes,
            services: report.outcomes.map { outcome in
                var entry = JSONDeployOutcome(
                    node: outcome.node,
                    service: outcome.service,
                    deployment: outcome.deployment,
                    status: "unchanged",
                    slot: nil,
                    error: nil
                )
                switch outcome.result {
                case .unchanged: break
                case .switched(let slot):
                    entry.status = "switched"
                    entry.slot = slot.rawValue
                case .rolledOut: entry.status = "rolled_out"
                case .imported: entry.status = "imported"
                case .failed(let error):
                    entry.status = "failed"
                    entry.error = error.description
                }
                return entry
            },
            unreachable: report.unreachable.map { JSONNodeFailure(node: $0.node, message: $0.message) }
        )
    }
}

struct JSONDeployPlanned: Encodable {
    var node: String
    var service: String
    var release: String
    var deployment: String
    var change: String
    var ships: Bool
}

struct JSONDeployOutcome: Encodable {
    var node: String
    var service: String
    var deployment: String
    var status: String
    var slot: String?
    var error: String?
}

struct JSONDeploySummary: Encodable {
    var switched: Int
    var failed: Int
    var shippedBytes: Int
    var services: [JSONDeployOutcome]
    var unreachable: [JSONNodeFailure]

    enum CodingKeys: String, CodingKey {
        case switched, failed, services, unreachable
        case shippedBytes = "shipped_bytes"
    }
}
