/// Why a node could not run a command, said so that the operator knows what to do next.
public struct RemoteError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// No connection: timed out, refused, no route, name not resolved.
        case unreachable
        /// The node refused the key.
        case authentication
        /// The node's host key is not in known_hosts.
        case unknownHostKey = "unknown-host-key"
        /// The node's host key differs from the one in known_hosts.
        case changedHostKey = "changed-host-key"
        /// The jump host in front of the node could not be reached.
        case jumpHost = "jump-host"
        /// The command ran past its deadline and was killed on the node.
        case timeout
        /// ssh failed otherwise (the connection dropped, the node rebooted).
        case transport
        /// A step lurusctl ran on the node failed (an upload, a probe).
        case commandFailed = "command-failed"
        /// Something on this machine failed (a temporary directory, launching ssh).
        case local
    }

    public var kind: Kind
    public var node: String
    public var address: String
    public var message: String
    public var hint: String

    public init(_ kind: Kind, node: String, address: String, _ message: String, hint: String) {
        self.kind = kind
        self.node = node
        self.address = address
        self.message = message
        self.hint = hint
    }

    static func local(_ message: String) -> RemoteError {
        RemoteError(.local, node: "", address: "", message, hint: "")
    }

    public var description: String {
        let subject = self.node.isEmpty ? "lurusctl" : "\(self.node) (\(self.address))"
        return "\(subject): \(self.message)" + (self.hint.isEmpty ? "" : " (\(self.hint))")
    }
}
