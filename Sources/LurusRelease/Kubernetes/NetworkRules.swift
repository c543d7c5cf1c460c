import LurusInventory

/// Who may open connections to a service's pods, and where they may open connections to. Pure.
///
/// Everything not listed is refused (a namespace-wide default deny sits under every service's policy):
/// the ingress controller reaches only a service exposed through it (the gateway); a service reaches
/// another only when it talks to it (so provider and billing take connections from the gateway only);
/// egress is cluster DNS, the peers' ports, and the internet ports the catalog lists.
public struct NetworkRules: Sendable, Hashable {
    public enum Source: Sendable, Hashable {
        /// K3s's Traefik (pods `app.kubernetes.io/name: traefik` in `kube-system`).
        case ingressController
        /// The pods of another service.
        case service(String)
    }

    public enum Destination: Sendable, Hashable {
        /// Cluster DNS (CoreDNS, `k8s-app: kube-dns` in `kube-system`), UDP and TCP 53.
        case dns
        /// The pods of another service.
        case service(String)
        /// Addresses on the nodes' own network, as CIDR blocks.
        case addresses([String])
        /// Anywhere (0.0.0.0/0 and ::/0).
        case internet
    }

    public struct IngressRule: Sendable, Hashable {
        public var source: Source
        public var port: Int
    }

    public struct EgressRule: Sendable, Hashable {
        public var destination: Destination
        public var port: Int
        /// The component the rule is for, or nil for DNS and the internet.
        public var peer: Component?
    }

    public var ingress: [IngressRule]
    public var egress: [EgressRule]

    /// CoreDNS's labels and the DNS port.
    static let dnsPort = 53

    /// The rules of `service`, given every placed service (who talks to it) and the inventory (the
    /// addresses of the nodes its peers run on).
    public static func of(
        _ service: ResolvedService,
        among services: [ResolvedService],
        in inventory: Inventory
    ) throws(KubernetesManifestError) -> NetworkRules {
        var ingress: [IngressRule] = []
        if service.definition.exposure == .ingress {
            ingress.append(IngressRule(source: .ingressController, port: service.port))
        }
        for other in services where other.peers.contains(where: { $0.component == service.component }) {
            ingress.append(IngressRule(source: .service(other.name), port: service.port))
        }
        var egress = [EgressRule(destination: .dns, port: Self.dnsPort, peer: nil)]
        for peer in service.peers {
            switch peer.location {
            case .service:
                egress.append(
                    EgressRule(destination: .service(peer.component.name), port: peer.port, peer: peer.component)
                )
            case .nodes(let nodes):
                let blocks = try self.blocks(of: nodes, for: service, peer: peer.component, in: inventory)
                egress.append(EgressRule(destination: .addresses(blocks), port: peer.port, peer: peer.component))
            }
        }
        for port in service.definition.internetPorts {
            egress.append(EgressRule(destination: .internet, port: port, peer: nil))
        }
        return NetworkRules(ingress: ingress, egress: egress)
    }

    /// The CIDR blocks `nodes` are reached at from a pod: the Tailscale ranges over a Tailscale mesh (each
    /// node's own address there is known only from its facts), else each node's mesh address alone.
    static func blocks(
        of nodes: [Node],
        for service: ResolvedService,
        peer: Component,
        in inventory: Inventory
    ) throws(KubernetesManifestError) -> [String] {
        switch inventory.mesh {
        case .tailscale:
            return ["100.64.0.0/10", "fd7a:115c:a1e0::/48"]
        case .none:
            var blocks: [String] = []
            for node in nodes {
                switch inventory.meshAddress(of: node) {
                case .ipv4(let address): blocks.append("\(address)/32")
                case .ipv6(let address): blocks.append("\(address)/128")
                case .hostname, nil:
                    throw KubernetesManifestError(
                        service: service.name,
                        "\(peer.name) runs on \(node.name), whose address is a name; a network policy needs an IP",
                        hint: "give \(node.name) a private_address that is an IP in \(inventory.path)"
                    )
                }
            }
            return blocks
        }
    }
}
