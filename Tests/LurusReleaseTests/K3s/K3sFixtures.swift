import Foundation
import LurusComponents
import LurusEngine
import LurusInventory
import LurusTestSupport
import Testing

@testable import LurusRelease

/// The production inventory's gateway under K3s with the recorded rollout of `Golden/rollout/` (from the
/// image `old` to `new`, two pods on brain), and the pieces a rollout is made of.
enum K3sFixtures {
    static let new = RolloutVerdictTests.image
    static let old = "lurus.local/gateway@sha256:19d4b7e2a5c8f1d4b7e0a3c6f9d2b5e8a1c4f7d0b3e6a9c2f5d8b1e4a7c0f3d6"
    static let release = ReleaseID("7b2e4d6f8a0c")!

    static func fixture(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: Repository.path("Tests/LurusReleaseTests/Golden/\(path)"))))
    }

    /// One rollout poll: a recorded pod list and event list, as `rollout-state.sh` prints them.
    static func poll(_ name: String, image: String? = nil) throws -> [UInt8] {
        var pods = String(decoding: try self.fixture("rollout/\(name).pods.json"), as: UTF8.self)
        if let image { pods = pods.replacingOccurrences(of: Self.new, with: image) }
        let events = String(decoding: try self.fixture("rollout/\(name).events.json"), as: UTF8.self)
        return Array((pods + "\n" + ClusterObservation.marker + "\n" + events).utf8)
    }

    /// `observe.sh`'s answer for `deployments` (JSON objects) and `entries`.
    static func observe(deployments: [[String: Any]] = [], entries: [LedgerEntry] = []) -> [UInt8] {
        let list: [String: Any] = ["apiVersion": "v1", "kind": "List", "items": deployments]
        let maps: [String: Any] = [
            "apiVersion": "v1", "kind": "List",
            "items": entries.map { entry in
                (try? JSONSerialization.jsonObject(with: Data(entry.configMap(namespace: "lurus")))) ?? [:]
            },
        ]
        let first = String(decoding: try! JSONSerialization.data(withJSONObject: list), as: UTF8.self)
        let second = String(decoding: try! JSONSerialization.data(withJSONObject: maps), as: UTF8.self)
        return Array((first + "\n" + ClusterObservation.marker + "\n" + second + "\n").utf8)
    }

    /// A finished Deployment of `service` serving `deployment` with `image`.
    static func deployment(
        _ service: String,
        serving deployment: String?,
        previous: String? = nil,
        image: String
    ) -> [String: Any] {
        var annotations: [String: String] = [:]
        if let deployment { annotations[ClusterObservation.deploymentAnnotation] = deployment }
        if let previous { annotations[ClusterObservation.previousAnnotation] = previous }
        return [
            "metadata": ["name": service, "generation": 4, "annotations": annotations],
            "spec": [
                "replicas": 2,
                "template": ["spec": ["containers": [["name": service, "image": image]]]],
            ],
            "status": ["observedGeneration": 4, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 2],
        ]
    }

    /// `ctr images ls` with the images given as (reference, digest, pinned).
    static func listing(_ rows: [(String, String, Bool)]) -> String {
        (["REF TYPE DIGEST SIZE PLATFORMS LABELS"]
            + rows.map { reference, digest, pinned in
                let labels = "io.cri-containerd.image=managed" + (pinned ? ",io.cri-containerd.pinned=pinned" : "")
                return
                    "\(reference) application/vnd.oci.image.manifest.v1+json \(digest) 52.6 MiB linux/amd64 \(labels)"
            }).joined(separator: "\n") + "\n"
    }

    static func digest(_ image: String) -> String { String(image.split(separator: "@").last!) }

    /// The inventory, its gateway, and a rollout of it over `cluster` with the archive of image `new`.
    static func rollout(
        over cluster: RecordedCluster
    ) async throws -> (K3sRollout, ServiceImageArchive, [ResolvedService]) {
        let inventory = try ManifestFixtures.inventory("lurus")
        let placed = try ServiceCatalog.resolve(in: inventory)
        let gateway = try #require(placed.first { $0.name == "gateway" })
        let templates = try await ManifestFixtures.templates()
        var settings = inventory.deploy
        settings.healthTimeout = try #require(InventoryDuration.parse("2s"))
        settings.keepReleases = 2
        let archive = ServiceImageArchive(
            service: "gateway",
            path: "/var/cache/lurusctl/releases/\(Self.release)/images/gateway.tar",
            image: try PodImage(.gateway, digest: Self.digest(Self.new)),
            tag: "lurus.local/gateway:\(Self.release)",
            size: 55_154_688
        )
        var deployer = K3sDeployer(
            transport: cluster,
            templates: templates,
            settings: settings,
            cache: BuildCache(root: URL(fileURLWithPath: "/nonexistent")),
            server: try #require(KubectlCommands.node(in: inventory))
        )
        deployer.pollInterval = .milliseconds(1)
        let rollout = K3sRollout(
            deployer: deployer,
            manifests: KubernetesManifests(templates: templates),
            inventory: inventory,
            placed: placed,
            services: [gateway],
            nodes: inventory.nodes,
            secrets: ManifestFixtures.secrets(for: placed)
        )
        return (rollout, archive, placed)
    }

    /// The plan `rollout` makes with `archive` over what `cluster` holds (what `K3sRollout.plan` decides
    /// once the image is written).
    static func plan(_ rollout: K3sRollout, archive: ServiceImageArchive) async -> K3sRolloutPlan {
        await rollout.plan(
            archives: [archive],
            release: Self.release,
            commit: "abc1234",
            configuration: "release",
            deployedBy: "ops@control"
        )
    }

    /// A release of `service` in `cache` whose binary is Debian's `/usr/bin/true`: a real dynamic binary, so
    /// ldd, the layer and the layout are the real ones, without building the services.
    static func standInRelease(of service: ResolvedService, in cache: BuildCache) throws -> ServiceBuild.Built {
        let binary = cache.binary(service.definition.executable, of: Self.release)
        try FileManager.default.createDirectory(
            at: binary.deletingLastPathComponent(),
            withIntermediateDirectories: true
        )
        try FileManager.default.copyItem(atPath: "/usr/bin/true", toPath: binary.path)
        return ServiceBuild.Built(
            id: Self.release,
            manifest: ReleaseManifest(
                id: Self.release.value,
                configuration: "release",
                toolchain: "test",
                commit: nil,
                builtAt: 0,
                binaries: []
            ),
            compiled: false,
            commit: nil
        )
    }
}
