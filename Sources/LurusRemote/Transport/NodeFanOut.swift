import LurusInventory

/// Runs work on many nodes at once, at most `width` at a time, so one slow or dead node never holds up
/// the others. Results come back in the order of `nodes`.
public enum NodeFanOut {
    public static func map<Result: Sendable>(
        _ nodes: [Node],
        width: Int = 16,
        _ work: @escaping @Sendable (Node) async -> Result
    ) async -> [Result] {
        await withTaskGroup(of: (Int, Result).self) { group in
            var results: [Result?] = Array(repeating: nil, count: nodes.count)
            var next = 0
            func startNext() {
                guard next < nodes.count else { return }
                let index = next
                next += 1
                group.addTask { (index, await work(nodes[index])) }
            }
            for _ in 0..<max(1, width) { startNext() }
            while let (index, result) = await group.next() {
                results[index] = result
                startNext()
            }
            return results.map { $0! }
        }
    }
}
