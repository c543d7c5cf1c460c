/// One machine of the cluster.
public struct Node: Sendable, Hashable {
    public var name: String
    /// The address `lurusctl` connects to (through `ssh.proxy_jump` when set).
    public var address: NodeAddress
    /// An address on a private network; with `mesh: none` it is the node's mesh address.
    public var privateAddress: NodeAddress?
    public var ssh: SSHSettings
    /// The components listed for this node, in the order written.
    public var components: [Component]
    /// Kubernetes node labels, in the order written.
    public var labels: [Label]
    /// Kubernetes node taints.
    public var taints: [Taint]

    public struct Label: Sendable, Hashable {
        public var key: String
        public var value: String

        public init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    public init(
        name: String,
        address: NodeAddress,
        privateAddress: NodeAddress? = nil,
        ssh: SSHSettings = SSHSettings(),
        components: [Component] = [],
        labels: [Label] = [],
        taints: [Taint] = []
    ) {
        self.name = name
        self.address = address
        self.privateAddress = privateAddress
        self.ssh = ssh
        self.components = components
        self.labels = labels
        self.taints = taints
    }

    static let keys = ["address", "private_address", "ssh", "components", "labels", "taints"]
}
