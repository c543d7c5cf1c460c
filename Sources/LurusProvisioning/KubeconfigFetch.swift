import Foundation
import LurusComponents
import LurusEngine
import LurusInventory
import LurusRemote

/// After a run in which the K3s server is in place, copies its kubeconfig to the state directory
/// (`.lurus/CLUSTER/kubeconfig`, 0600) with the API address rewritten to one this machine reaches, so
/// `KUBECONFIG=… kubectl get nodes` works from here. The file holds the cluster's admin credentials: it is
/// written atomically with its mode set before any byte lands, and never printed.
public enum KubeconfigFetch {
    /// Where the kubeconfig goes, or nil when nothing in the run brought a K3s server up.
    public static func fetch(
        after result: RunResult,
        inventory: Inventory,
        transport: any NodeTransport
    ) async -> String? {
        guard let server = inventory.nodes(running: .k3sServer).first,
            let url = K3sKubeconfig.serverURL(inventory: inventory),
            let unit = result.nodes.first(where: { $0.node == server.name })?.units.first(where: {
                $0.unit.component == Component.k3sServer.name
            }),
            unit.status.succeeded
        else { return nil }
        let state = StateDirectory(for: inventory)
        do {
            let read = try await transport.run(
                RemoteCommand(ShellCommand(["cat", "--", K3sKubeconfig.path]), timeout: .seconds(30)),
                on: server
            )
            guard read.succeeded else {
                return "could not read \(K3sKubeconfig.path) on \(server.name); rerun `lurusctl up` once K3s is up"
            }
            let yaml = K3sKubeconfig.rewrite(String(decoding: read.stdout, as: UTF8.self), server: url)
            try state.prepare()
            let target = state.file("kubeconfig")
            let temporary = "\(target).tmp-\(getpid())"
            guard
                FileManager.default.createFile(atPath: temporary, contents: nil, attributes: [.posixPermissions: 0o600])
            else { return "could not write \(temporary)" }
            try Data(yaml.utf8).write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, target) == 0 else { return "could not write \(target)" }
            return "kubeconfig for \(url): \(target) (export KUBECONFIG=\(target))"
        } catch {
            return "could not fetch the kubeconfig from \(server.name): \(error)"
        }
    }
}
