/// Why a component cannot be planned on a node, naming the node, the component and what to do.
public struct ComponentError: Error, Sendable, CustomStringConvertible {
    public var node: String
    public var component: String
    public var message: String
    public var hint: String

    public init(node: String, component: String, _ message: String, hint: String) {
        self.node = node
        self.component = component
        self.message = message
        self.hint = hint
    }

    public var description: String { "\(self.component) on \(self.node): \(self.message) (\(self.hint))" }
}

/// A component needs a node's mesh address before Tailscale is up there: it is planned on a later pass.
struct MeshAddressPending: Error {
    var node: String
}
