import Crypto
import Foundation
import LurusEngine
import LurusInventory

/// What a deploy under the K3s runtime will do, decided from what the server and each node hold: which
/// images each node gets, which services roll out to which deployment. Shown before it is done.
public struct K3sRolloutPlan: Sendable, Hashable {
    public struct Service: Sendable, Hashable {
        public var service: ResolvedService
        public var archive: ServiceImageArchive
        /// The service's documents for this release, Secret values as slots.
        public var documents: [ManifestDocument]
        /// The ledger entry the rollout writes once the pods are ready.
        public var entry: LedgerEntry
        /// The deployment that serves now (the Deployment's annotation), if any.
        public var serving: String?
        public var changes: Bool

        public var target: RolloutTarget {
            RolloutTarget(
                service: self.service.name,
                image: self.archive.image.reference,
                replicas: self.service.replicas
            )
        }
    }

    /// One service's image on one node.
    public struct Image: Sendable, Hashable {
        public var node: Node
        public var service: String
        public var state: ContainerdImages.State
    }

    public var server: Node
    /// The namespace and its default-deny policy, applied before any service.
    public var shared: [ManifestDocument]
    public var services: [Service] = []
    public var images: [Image] = []
    /// What each node's containerd held when planned (for pruning).
    public var held: [String: ContainerdImages] = [:]
    public var observation = ClusterObservation()
    /// Nodes (or the server) that could not be read, with why.
    public var unreachable: [NodeFailure] = []

    public init(server: Node, shared: [ManifestDocument]) {
        self.server = server
        self.shared = shared
    }

    /// `RELEASE-CONFIG`: the release and 8 hex digits of the service's documents, which name its image by
    /// digest and its ConfigMap and Secret by the hash of their content. So any change of build, setting
    /// or secret is another deployment.
    public static func deploymentName(release: ReleaseID, documents: [ManifestDocument]) -> String {
        var hash = SHA256()
        for document in documents { hash.update(data: Data("\(document.kind)\n\(document.text)\n".utf8)) }
        return "\(release)-\(SHA256Digest(hash.finalize()).hex.prefix(8))"
    }

    /// Whether `service` must roll out to `deployment` with `image`: unless its Deployment says it serves that
    /// deployment, runs that image, has finished rolling out, and the ledger holds the entry. Pure.
    public static func changes(
        _ service: String,
        deployment: String,
        image: String,
        observed: ClusterObservation
    ) -> Bool {
        guard let workload = observed.workloads[service] else { return true }
        return
            !(workload.deployment == deployment && workload.image == image && workload.complete
            && observed.ledger.entry(service: service, deployment: deployment) != nil)
    }

    /// The hash-named objects `documents` create (`ConfigMap/NAME`, `Secret/NAME`).
    static func objects(_ documents: [ManifestDocument]) -> [String] {
        documents.filter { $0.kind == "ConfigMap" || $0.kind == "Secret" }.map { "\($0.kind)/\($0.name)" }
    }

    public var changeCount: Int {
        self.services.filter(\.changes).count + self.images.filter { $0.state != .pinned }.count
    }

    /// The nodes with work, the server first.
    public var nodes: [Node] {
        var nodes: [Node] = self.services.contains(where: \.changes) ? [self.server] : []
        for image in self.images where image.state != .pinned && !nodes.contains(image.node) {
            nodes.append(image.node)
        }
        return nodes
    }

    /// One line per image and service: `heart  gateway  image sha256:0123456789ab…  import 52.6 MB`.
    public var lines: [String] {
        let images = self.images.map { image -> String in
            let archive = self.services.first { $0.service.name == image.service }?.archive
            let digest = archive.map { String($0.image.digest.prefix(19)) + "…" } ?? "?"
            let what: String
            switch image.state {
            case .pinned: what = "present, pinned"
            case .unpinned: what = "present, pin it"
            case .missing: what = "import \(DeployPlan.megabytes(archive?.size ?? 0)), pin, check digest"
            }
            return "\(image.node.name)  \(image.service)  image \(digest)  \(what)"
        }
        let services = self.services.map { service -> String in
            let from = service.serving.map { "from \($0)" } ?? "first deployment"
            let what =
                service.changes
                ? "apply, roll out \(service.service.replicas) pod\(service.service.replicas == 1 ? "" : "s") (\(from))"
                : "unchanged (serving)"
            return "\(self.server.name)  \(service.service.name)  \(service.entry.deployment)  \(what)"
        }
        return images + services + self.unreachable.map { "\($0.node)  cannot be read: \($0.message)" }
    }
}
