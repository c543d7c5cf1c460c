import LurusInventory

/// The cluster's kubeconfig for the control machine, made from the one K3s writes on the server.
///
/// K3s writes `/etc/rancher/k3s/k3s.yaml` (0600, root) pointing at `https://127.0.0.1:PORT`. Fetched to the
/// control machine, the address must become one it can reach: the server node's `address` (which the
/// server's certificate holds, see `K3sConfig.tlsSANs`).
public enum K3sKubeconfig {
    /// Where K3s writes the admin kubeconfig on the server node.
    public static let path = "/etc/rancher/k3s/k3s.yaml"

    /// `https://ADDRESS:API_PORT` of the inventory's K3s server, or nil when no node runs `k3s-server`.
    public static func serverURL(inventory: Inventory) -> String? {
        guard let server = inventory.nodes(running: .k3sServer).first else { return nil }
        let port = inventory.settings(for: .k3sServer).port("api_port") ?? 6443
        return K3sConfig.url(host: server.address.description, port: port)
    }

    /// `yaml` with every loopback API address (`https://127.0.0.1:PORT`, `https://localhost:PORT` or
    /// `https://[::1]:PORT`) replaced by `server`, a URL such as `https://43.226.46.164:6443`.
    public static func rewrite(_ yaml: String, server: String) -> String {
        yaml.split(separator: "\n", omittingEmptySubsequences: false)
            .map { self.rewriteLine($0, server: server) }
            .joined(separator: "\n")
    }

    static let loopbackPrefixes = ["https://127.0.0.1:", "https://localhost:", "https://[::1]:"]

    private static func rewriteLine(_ line: Substring, server: String) -> String {
        var result = ""
        var rest = line
        while let match = self.loopbackPrefixes.compactMap({ rest.range(of: $0) }).min(by: {
            $0.lowerBound < $1.lowerBound
        }) {
            let port = rest[match.upperBound...].prefix { $0.isASCII && $0.isNumber }
            result += rest[..<match.lowerBound]
            if port.isEmpty {
                result += rest[match]
            } else {
                result += server
            }
            rest = rest[port.endIndex...]
        }
        return result + rest
    }
}
