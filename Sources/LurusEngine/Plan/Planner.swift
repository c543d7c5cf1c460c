import LurusInventory

/// Turns a node's units and the observed state of their resources into the node's plan. Pure: no I/O.
public enum Planner {
    /// Every resource of `units`, each once, in the order they are probed; a resource two units want
    /// identically is kept once, in the first unit.
    public static func resources(of units: [WorkUnit]) throws(PlanningError) -> [Resource] {
        var seen: [ResourceID: (Resource, UnitID)] = [:]
        var resources: [Resource] = []
        for unit in units {
            for resource in unit.resources {
                if let (earlier, owner) = seen[resource.id] {
                    guard earlier.kind == resource.kind else {
                        throw PlanningError(
                            "\(resource.id) is wanted differently by \(owner) and by \(unit.id)",
                            hint: "two components manage the same thing; this is a bug in lurusctl, please report it"
                        )
                    }
                    continue
                }
                seen[resource.id] = (resource, unit.id)
                resources.append(resource)
            }
        }
        return resources
    }

    /// The plan of one node: compares each resource with its observed state, in unit order, so a service
    /// sees the changes made before it (and restarts once, however many there are).
    public static func plan(node: Node, units: [WorkUnit], observed: [ResourceID: ObservedState]) -> NodePlan {
        var changed = Set<ResourceID>()
        var planned = Set<ResourceID>()
        var plans: [UnitPlan] = []
        for unit in units {
            var changes: [PlannedChange] = []
            var unchanged = 0
            var notices = unit.notices
            for resource in unit.resources where planned.insert(resource.id).inserted {
                let difference = resource.spec.compare(
                    with: observed[resource.id] ?? ObservedState(),
                    changed: changed
                )
                if let notice = difference.notice { notices.append(notice) }
                if difference.isChange {
                    changes.append(PlannedChange(resource: resource, difference: difference))
                    changed.insert(resource.id)
                } else {
                    unchanged += 1
                }
            }
            plans.append(UnitPlan(unit: unit, changes: changes, unchanged: unchanged, notices: notices))
        }
        return NodePlan(node: node, units: plans)
    }

    /// The commands that apply one unit's changes, in order, each with the change it belongs to. Package
    /// installs are merged into one `apt-get install` at the place of the first.
    public static func steps(of unit: UnitPlan) -> [Step] {
        var steps: [Step] = []
        var installIndex: Int?
        for change in unit.changes {
            let commands = change.resource.spec.apply(change.difference)
            for (position, command) in commands.enumerated() {
                if case .aptInstall(let packages) = command {
                    if let index = installIndex, case .aptInstall(let earlier) = steps[index].command {
                        steps[index].command = .aptInstall(earlier + packages)
                        steps[index].changes.append(change.id)
                        continue
                    }
                    installIndex = steps.count
                }
                let part = commands.count > 1 ? " (\(position + 1)/\(commands.count))" : ""
                steps.append(Step(command: command, changes: [change.id], title: Self.title(of: change) + part))
            }
        }
        for index in steps.indices {
            if case .aptInstall(let packages) = steps[index].command {
                steps[index].title = "install \(packages.joined(separator: " "))"
            }
        }
        return steps
    }

    static func title(of change: PlannedChange) -> String {
        switch change.difference.action {
        case .restart: "restart \(change.id.name)"
        case .reload: "reload \(change.id.name)"
        case .run: "run \(change.id.name)"
        case .remove: "remove \(change.id)"
        case .create: "\(change.id.kind == "package" ? "install" : "create") \(change.id)"
        case .change: "\(change.id): \(change.difference.details.joined(separator: ", "))"
        case .none: "\(change.id)"
        }
    }
}

/// One command of a unit's apply, with the changes it carries out.
public struct Step: Sendable, Hashable {
    public var command: ApplyCommand
    public var changes: [ResourceID]
    public var title: String
}

/// A plan that cannot be made: what and how to fix it.
public struct PlanningError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var hint: String

    public init(_ message: String, hint: String) {
        self.message = message
        self.hint = hint
    }

    public var description: String { "\(self.message) (\(self.hint))" }
}
