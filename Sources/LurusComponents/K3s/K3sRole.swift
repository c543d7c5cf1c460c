import LurusInventory

/// Whether a node runs the K3s server or an agent, and the names that differ between the two.
enum K3sRole: String {
    case server
    case agent

    init(_ component: Component) {
        self = component == .k3sServer ? .server : .agent
    }

    /// The systemd service the install script makes.
    var service: String {
        switch self {
        case .server: "k3s"
        case .agent: "k3s-agent"
        }
    }

    /// The unit file the install script writes: its presence means K3s is installed.
    var unitPath: String { "/etc/systemd/system/\(self.service).service" }

    /// Arguments for `k3s kubectl` to read this node's Node object: the server's admin kubeconfig is the
    /// default; an agent has only the kubelet's credentials, which may read their own Node.
    var kubectlArguments: [String] {
        switch self {
        case .server: []
        case .agent: ["--kubeconfig", "/var/lib/rancher/k3s/agent/kubelet.kubeconfig"]
        }
    }
}
