import Foundation
import LurusInventory
import LurusRemote

/// `facts` output: a table for people, JSON lines for machines.
struct FactsReport {
    var results: [NodeResult<NodeFacts>]

    var errors: [RemoteError] {
        self.results.compactMap { if case .failure(let error) = $0.result { error } else { nil } }
    }

    var table: String {
        var columns = Columns(
            "NODE",
            "OS",
            "ARCH",
            "KERNEL",
            "CPUS",
            "MEMORY",
            "ROOT DISK",
            "ADDRESSES",
            "INIT",
            "CONTAINER"
        )
        for entry in self.results {
            let node = entry.node
            guard case .success(let facts) = entry.result else {
                columns.add(node.name, "(unreachable)", "", "", "", "", "", "", "", "")
                continue
            }
            let disk =
                facts.rootDisk.map { disk in
                    let percent =
                        disk.sizeKiB > 0 ? Int((Double(disk.usedKiB) / Double(disk.sizeKiB) * 100).rounded()) : 0
                    return "\(percent)% of \(Self.gibibytes(disk.sizeKiB))"
                } ?? "-"
            let addresses = facts.addresses.filter { $0.family == "inet" && $0.interface != "lo" }.map(\.address)
            columns.add(
                node.name,
                "\(facts.osID) \(facts.osVersion)",
                facts.architecture,
                facts.kernel,
                String(facts.cpus),
                Self.gibibytes(facts.memoryKiB),
                disk,
                addresses.isEmpty ? "-" : addresses.joined(separator: " "),
                "\(facts.initSystem) (\(facts.systemState))",
                facts.container
            )
        }
        return columns.rendered
    }

    static func gibibytes(_ kibibytes: Int64) -> String {
        String(format: "%.1f GiB", Double(kibibytes) / 1_048_576)
    }

    struct JSONLine: Encodable {
        var node: String
        var address: String
        var facts: NodeFacts?
        var error: ExecReport.JSONLine.ErrorEntry?
    }

    func jsonLines() throws -> [String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try self.results.map { entry in
            var line = JSONLine(node: entry.node.name, address: entry.node.address.description)
            switch entry.result {
            case .success(let facts): line.facts = facts
            case .failure(let error):
                line.error = .init(kind: error.kind.rawValue, message: error.message, hint: error.hint)
            }
            return String(decoding: try encoder.encode(line), as: UTF8.self)
        }
    }
}
