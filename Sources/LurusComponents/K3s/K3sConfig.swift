import LurusEngine
import LurusInventory

/// `/etc/rancher/k3s/config.yaml` of one node, which K3s reads at every start (the install script passes no
/// flags): who the node is, the addresses it uses, how it joins, and its labels and taints.
///
/// Over Tailscale, K3s must use the node's Tailscale address (`node-ip`) and Flannel the Tailscale interface
/// (`flannel-iface`), or pod traffic between nodes takes the public network. A public `address` becomes the
/// node's external IP; the server's certificate names its address and mesh address (`tls-san`), so kubectl
/// on the control machine can reach it by `address`.
struct K3sConfig {
    static let path = "/etc/rancher/k3s/config.yaml"
    static let tokenPath = "/etc/rancher/k3s/token"

    var component: Component
    var node: Node
    var role: K3sRole
    var meshAddress: String
    /// The Tailscale interface, or nil without a Tailscale mesh.
    var flannelInterface: String?
    var apiPort: Int
    /// `https://SERVER_MESH_ADDRESS:PORT`, for an agent.
    var serverURL: String?

    /// Every value the template uses.
    var values: [String: Any] {
        let tlsSANs = self.role == .server ? self.tlsSANs : []
        let labels = self.node.labels.map { "\($0.key)=\($0.value)" }
        let taints = self.node.taints.map(\.description)
        return [
            "component": self.component.name,
            "node_name": self.node.name,
            "node_ip": self.meshAddress,
            "external_ips": self.externalAddress.map { [$0] } ?? [],
            "flannel_ifaces": self.flannelInterface.map { [$0] } ?? [],
            "token_file": Self.tokenPath,
            "server_urls": self.role == .agent ? (self.serverURL.map { [$0] } ?? []) : [],
            "api_ports": self.role == .server ? [self.apiPort] : [],
            "has_tls_sans": !tlsSANs.isEmpty,
            "tls_sans": tlsSANs,
            "has_labels": !labels.isEmpty,
            "labels": labels,
            "has_taints": !taints.isEmpty,
            "taints": taints,
        ]
    }

    /// The node's `address` when it is an IP reachable from the internet.
    var externalAddress: String? {
        self.node.address.isIPLiteral && !self.node.address.isPrivate ? self.node.address.description : nil
    }

    /// Names the server's certificate must hold besides its own defaults: every address it is reached at.
    var tlsSANs: [String] {
        var names = [self.node.address.description]
        if let ownPrivate = self.node.privateAddress { names.append(ownPrivate.description) }
        names.append(self.meshAddress)
        var seen: Set<String> = []
        return names.filter { seen.insert($0).inserted }
    }

    /// `https://HOST:PORT`, with an IPv6 literal in brackets.
    static func url(host: String, port: Int) -> String {
        "https://" + MeshAddresses.hostPort(host, port)
    }
}
