import Foundation
import LurusEngine
import LurusInventory

/// A plan for people (per node: `+` create, `~` change with a diff, `-` remove, `↻` restart, a summary)
/// and for programs (one JSON object per node, then a summary object).
struct PlanReport {
    var plan: Plan
    var unprovisioned: [Component]
    var style: Style

    /// The symbol of an action, as in the plan's legend.
    static func symbol(_ action: Difference.Action) -> String {
        switch action {
        case .create: "+"
        case .change: "~"
        case .remove: "-"
        case .run: ">"
        case .restart, .reload: "↻"
        case .none: " "
        }
    }

    var text: String {
        var lines: [String] = []
        for node in self.plan.nodes {
            let header = "\(node.node.name) (\(node.node.address))"
            guard node.changeCount > 0 else {
                lines.append("\(self.style.bold(header)): no changes")
                lines += self.notices(of: node)
                continue
            }
            lines.append(self.style.bold(header))
            for unit in node.units where !unit.changes.isEmpty || !unit.notices.isEmpty {
                lines.append("  \(unit.id.component)")
                for change in unit.changes { lines += self.render(change) }
                for notice in unit.notices { lines.append("    \(self.style.dim("note: \(notice)"))") }
            }
        }
        for failure in self.plan.failures {
            lines.append(self.style.red("\(failure.node): cannot plan: \(failure.message)"))
        }
        if !self.unprovisioned.isEmpty {
            lines.append(
                "Not provisioned by this version (placed and validated only): "
                    + self.unprovisioned.map(\.name).joined(separator: ", ")
            )
        }
        lines.append(self.summary)
        return lines.joined(separator: "\n")
    }

    var summary: String {
        let unchanged = self.plan.nodes.count - self.plan.nodesWithChanges
        var text = "Plan: \(self.plan.changeCount) to change on \(self.plan.nodesWithChanges) node"
        text += self.plan.nodesWithChanges == 1 ? "" : "s"
        text += ", \(unchanged) node\(unchanged == 1 ? "" : "s") unchanged"
        if !self.plan.failures.isEmpty { text += ", \(self.plan.failures.count) could not be planned" }
        return text + "."
    }

    private func notices(of node: NodePlan) -> [String] {
        node.units.flatMap { unit in unit.notices.map { "  \(unit.id.component): \(self.style.dim("note: \($0)"))" } }
    }

    private func render(_ change: PlannedChange) -> [String] {
        let action = change.difference.action
        let symbol = Self.symbol(action)
        var head = "\(symbol) \(change.id)"
        if action == .restart || action == .reload { head = "\(symbol) \(action.rawValue) \(change.id.name)" }
        if !change.difference.details.isEmpty { head += " (\(change.difference.details.joined(separator: ", ")))" }
        let coloured: String =
            switch action {
            case .create: self.style.green(head)
            case .remove: self.style.red(head)
            case .change, .run: self.style.yellow(head)
            default: self.style.cyan(head)
            }
        var lines = ["    \(coloured)"]
        switch change.difference.content {
        case .text(let before, let after):
            let diff = UnifiedDiff(before: before, after: after)
            guard !diff.isEmpty else { break }
            let path = change.id.name
            lines.append("        --- \(path)")
            lines.append("        +++ \(path) (planned)")
            for line in diff.lines {
                let shown: String =
                    if line.hasPrefix("+") { self.style.green(line) } else if line.hasPrefix("-") {
                        self.style.red(line)
                    } else if line.hasPrefix("@@") { self.style.cyan(line) } else { line }
                lines.append("        \(shown)")
            }
        case .hidden:
            lines.append("        (content is secret: not shown)")
        case .opaque(let before, let after):
            lines.append(
                "        (binary or large content: \(before.map { "\($0) bytes" } ?? "unknown size") -> \(after) bytes)"
            )
        case nil:
            break
        }
        return lines
    }

    // MARK: JSON

    /// One object per node, then the summary object.
    func jsonLines() throws -> [String] {
        var objects: [JSONLine] = []
        for node in self.plan.nodes {
            objects.append(
                .nodePlan(
                    JSONNodePlan(
                        node: node.node.name,
                        address: "\(node.node.address)",
                        changes: node.units.flatMap { unit in unit.changes.map { JSONChange(unit: unit.id, change: $0) }
                        },
                        notices: node.units.flatMap(\.notices)
                    )
                )
            )
        }
        for failure in self.plan.failures {
            objects.append(.nodeFailure(JSONNodeFailure(node: failure.node, message: failure.message)))
        }
        objects.append(
            .planSummary(
                JSONPlanSummary(
                    changes: self.plan.changeCount,
                    nodesWithChanges: self.plan.nodesWithChanges,
                    nodesUnchanged: self.plan.nodes.count - self.plan.nodesWithChanges,
                    failed: self.plan.failures.count,
                    notProvisioned: self.unprovisioned.map(\.name)
                )
            )
        )
        return try objects.map(JSONLine.encode)
    }
}

struct JSONChange: Encodable {
    var component: String
    var action: String
    var kind: String
    var name: String
    var details: [String]
    /// The unified diff's lines, for text content.
    var diff: [String]?
    var contentHidden: Bool

    init(unit: UnitID, change: PlannedChange) {
        self.component = unit.component
        self.action = change.difference.action.rawValue
        self.kind = change.id.kind
        self.name = change.id.name
        self.details = change.difference.details
        if case .text(let before, let after) = change.difference.content {
            self.diff = UnifiedDiff(before: before, after: after).lines
        }
        self.contentHidden = change.difference.content == .hidden
    }

    enum CodingKeys: String, CodingKey {
        case component, action, kind, name, details, diff
        case contentHidden = "content_hidden"
    }
}

struct JSONNodePlan: Encodable {
    var node: String
    var address: String
    var changes: [JSONChange]
    var notices: [String]
}

struct JSONNodeFailure: Encodable {
    var node: String
    var message: String
}

struct JSONPlanSummary: Encodable {
    var changes: Int
    var nodesWithChanges: Int
    var nodesUnchanged: Int
    var failed: Int
    var notProvisioned: [String]

    enum CodingKeys: String, CodingKey {
        case changes, failed
        case nodesWithChanges = "nodes_with_changes"
        case nodesUnchanged = "nodes_unchanged"
        case notProvisioned = "not_provisioned"
    }
}
