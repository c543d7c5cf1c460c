extension Inventory {
    /// The nodes named by `--on`: node names or component names (`--on postgres` is every node running
    /// PostgreSQL), comma-separated or repeated. No selector means every node. Inventory order is kept.
    public func nodes(selectedBy selectors: [String]) -> Result<[Node], ValueProblem> {
        let words = selectors.flatMap { $0.split(separator: ",").map { String($0).trimmingSpaces() } }.filter {
            !$0.isEmpty
        }
        guard !words.isEmpty else { return .success(self.nodes) }
        var chosen = Set<String>()
        for word in words {
            if let node = self.node(named: word) {
                chosen.insert(node.name)
            } else if let component = Component(rawValue: word) {
                let running = self.nodes(running: component)
                guard !running.isEmpty else {
                    return .failure(ValueProblem("no node runs \(word)", hint: "see lurusctl inventory"))
                }
                chosen.formUnion(running.map(\.name))
            } else {
                let candidates = self.nodes.map(\.name) + Component.allCases.map(\.rawValue)
                let suggestion = Suggestion.closest(to: word, among: candidates).map { "did you mean '\($0)'? " } ?? ""
                return .failure(
                    ValueProblem(
                        "'\(word)' is neither a node nor a component",
                        hint: "\(suggestion)nodes are \(self.nodes.map(\.name).joined(separator: ", "))"
                    )
                )
            }
        }
        return .success(self.nodes.filter { chosen.contains($0.name) })
    }
}
