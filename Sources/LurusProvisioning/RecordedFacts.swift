import Foundation
import LurusComponents
import LurusEngine
import LurusInventory
import LurusRemote

/// Facts recorded with `lurusctl facts --json > FILE` (one JSON object per line: `node`, `address`,
/// `facts` or `error`), for planning without connecting.
public struct RecordedFacts: Sendable {
    public var path: String
    public var facts: ClusterFacts

    /// Reads `path`; a line that is not a recorded node names the file and line and what to do.
    public static func load(_ path: String) throws(RecordedFactsError) -> RecordedFacts {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RecordedFactsError(
                "\(path): cannot read the file",
                hint: "record it with lurusctl facts --json > FILE"
            )
        }
        struct Line: Decodable {
            var node: String
            var facts: NodeFacts?
        }
        var cluster = ClusterFacts()
        for (index, text) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated()
        where !text.trimmingCharacters(in: .whitespaces).isEmpty {
            let line: Line
            do {
                line = try JSONDecoder().decode(Line.self, from: Data(text.utf8))
            } catch {
                throw RecordedFactsError(
                    "\(path):\(index + 1): not a line of `lurusctl facts --json`",
                    hint: "record the file again with lurusctl facts --json > \(path)"
                )
            }
            guard let facts = line.facts else {
                throw RecordedFactsError(
                    "\(path):\(index + 1): node \(line.node) has no facts (it could not be read when recorded)",
                    hint: "record again when the node answers"
                )
            }
            cluster.nodes[line.node] = facts
        }
        return RecordedFacts(path: path, facts: cluster)
    }

    /// The plan for `nodes` as fresh machines (nothing of lurusctl's on them yet): no node is contacted, and
    /// secrets are stand-ins, since plans never show secret contents; none is read or generated.
    public func plan(_ provisioning: Provisioning) throws(RecordedFactsError) -> Plan {
        var nodes: [NodePlan] = []
        var failures: [NodeFailure] = []
        for node in provisioning.nodes {
            guard self.facts[node.name] != nil else {
                throw RecordedFactsError(
                    "\(self.path) has no facts for node \(node.name)",
                    hint: "record every node (lurusctl facts --json), or plan fewer with --on"
                )
            }
            let stand = Dictionary(
                uniqueKeysWithValues: provisioning.catalog.secretNeeds(on: node, only: provisioning.only).map {
                    ($0.name, Secret(name: $0.name, bytes: Array(($0.standIn ?? "stand-in for \($0.name)").utf8)))
                }
            )
            do {
                let units = try provisioning.catalog.units(
                    on: node,
                    facts: self.facts,
                    secrets: stand,
                    only: provisioning.only
                )
                _ = try Planner.resources(of: units)
                nodes.append(Planner.plan(node: node, units: units, observed: [:]))
            } catch {
                failures.append(NodeFailure(node: node.name, message: "\(error)"))
            }
        }
        return Plan(nodes: nodes, failures: failures)
    }
}

/// Recorded facts that cannot be used.
public struct RecordedFactsError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var hint: String

    init(_ message: String, hint: String) {
        self.message = message
        self.hint = hint
    }

    public var description: String { "error: \(self.message) (\(self.hint))" }
}
