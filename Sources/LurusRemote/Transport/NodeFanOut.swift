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

/// What one node gave back, or why it could not.
public struct NodeResult<Value: Sendable>: Sendable {
    public var node: Node
    public var result: Result<Value, RemoteError>
}

extension NodeFanOut {
    /// Runs `work` on every node at once; a node's failure becomes its own result, never the whole run's.
    /// An error that is not a `RemoteError` is reported as a local one for that node.
    public static func results<Value: Sendable>(
        _ nodes: [Node],
        width: Int = 16,
        _ work: @escaping @Sendable (Node) async throws -> Value
    ) async -> [NodeResult<Value>] {
        await self.map(nodes, width: width) { node in
            do {
                return NodeResult(node: node, result: .success(try await work(node)))
            } catch let error as RemoteError {
                return NodeResult(node: node, result: .failure(error))
            } catch {
                let local = RemoteError(.local, node: node.name, address: "\(node.address)", "\(error)", hint: "")
                return NodeResult(node: node, result: .failure(local))
            }
        }
    }
}
