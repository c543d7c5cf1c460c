import Foundation
import LurusEngine
import LurusInventory
import SystemPackage
import Testing

@testable import LurusRelease

/// What lurusctl reads of a K3s cluster (recorded `ctr images ls` and `kubectl get deployments -o json`),
/// and the pure decisions on it: which deployments are kept, where a rollback goes, when an image archive
/// is the same.
@Suite struct K3sStateTests {
    static func entry(
        _ name: String,
        at: Double,
        image: String,
        objects: [String],
        manifests: [ManifestDocument] = []
    ) -> LedgerEntry {
        LedgerEntry(
            record: DeploymentRecord(
                deployment: name,
                release: String(name.prefix(12)),
                service: "gateway",
                deployedAt: at,
                deployedBy: "ops@control",
                commit: nil,
                configuration: "release"
            ),
            image: image,
            objects: objects,
            manifests: manifests
        )
    }

    /// A cluster where `b` serves the gateway and `a` is the rollback target, brain holding `held`.
    static func cluster(
        serving b: LedgerEntry,
        previous a: LedgerEntry,
        held: String,
        polls: [[UInt8]] = []
    )
        -> RecordedCluster
    {
        RecordedCluster(
            observe: K3sFixtures.observe(
                deployments: [
                    K3sFixtures.deployment("gateway", serving: b.deployment, previous: a.deployment, image: b.image)
                ],
                entries: [a, b]
            ),
            images: ["brain": held],
            polls: polls
        )
    }

    @Test func containerdsListingIsReadRefByRefWithItsPins() throws {
        let text = String(decoding: try K3sFixtures.fixture("k3s/ctr-images-ls.txt"), as: UTF8.self)
        let images = ContainerdImages.parse(text)
        // The pause image and the bare config-digest row are not lurusctl's.
        #expect(images.rows.count == 3)
        let old = try PodImage(.gateway, digest: K3sFixtures.digest(K3sFixtures.old))
        let new = try PodImage(.gateway, digest: K3sFixtures.digest(K3sFixtures.new))
        #expect(images.state(of: old) == .pinned)
        #expect(images.state(of: new) == .unpinned)
        #expect(images.state(of: try PodImage(.provider, digest: K3sFixtures.digest(K3sFixtures.old))) == .missing)
        #expect(images.digests(of: "gateway").count == 2)
        #expect(
            images.references(of: "gateway", digests: [K3sFixtures.digest(K3sFixtures.old)]) == [
                "lurus.local/gateway:0f3a9c1d2e4b", "lurus.local/gateway@" + K3sFixtures.digest(K3sFixtures.old),
            ]
        )
    }

    @Test func aDeploymentIsCompleteOnlyWhenEveryReplicaRunsTheNewestSpec() throws {
        let observe =
            try K3sFixtures.fixture("k3s/deployments.json")
            + Array("\n\(ClusterObservation.marker)\n{\"items\":[]}\n".utf8)
        let cluster = try ClusterObservation.parse(observe)
        let gateway = try #require(cluster.workloads["gateway"])
        #expect(gateway.complete && gateway.image == K3sFixtures.old)
        #expect(gateway.deployment == "0f3a9c1d2e4b-5e8a1c4f" && gateway.previous == "9d8c7b6a5f4e-0a1b2c3d")
        // provider: one of two pods still the old ReplicaSet's.
        #expect(cluster.workloads["provider"]?.complete == false && cluster.workloads["provider"]?.deployment == nil)
    }

    @Test func anAnswerWithoutTheMarkerIsAnErrorNotAnEmptyCluster() {
        #expect(throws: RolloutObservationError.self) { try ClusterObservation.parse(Array("{\"items\":[]}".utf8)) }
    }

    @Test func theLedgerRoundTripsThroughItsConfigMap() throws {
        let entry = Self.entry(
            "0f3a9c1d2e4b-5e8a1c4f",
            at: 10,
            image: K3sFixtures.old,
            objects: ["ConfigMap/gateway-env-1"]
        )
        let cluster = try ClusterObservation.parse(K3sFixtures.observe(entries: [entry]))
        #expect(cluster.ledger.entries == [entry])
        #expect(entry.configMapName == "lurus-ledger-gateway-0f3a9c1d2e4b-5e8a1c4f")
    }

    @Test func retentionKeepsTheNewestAndNeverTheServingOrTheRollbackTarget() {
        let a = Self.entry(
            "aaaaaaaaaaaa-00000001",
            at: 1,
            image: "lurus.local/gateway@sha256:a",
            objects: ["ConfigMap/env-a", "Secret/s-1"]
        )
        let b = Self.entry(
            "bbbbbbbbbbbb-00000002",
            at: 2,
            image: "lurus.local/gateway@sha256:b",
            objects: ["ConfigMap/env-b", "Secret/s-1"]
        )
        let c = Self.entry(
            "cccccccccccc-00000003",
            at: 3,
            image: "lurus.local/gateway@sha256:b",
            objects: ["ConfigMap/env-c", "Secret/s-2"]
        )
        let d = Self.entry(
            "dddddddddddd-00000004",
            at: 4,
            image: "lurus.local/gateway@sha256:d",
            objects: ["ConfigMap/env-d", "Secret/s-2"]
        )
        // keep 2: d serves, a is the rollback target (however old): b and c go.
        let doomed = K3sRetention.prune([a, b, c, d], keep: 2, protected: [d.deployment, a.deployment])
        #expect(doomed.entries.sorted() == [b.deployment, c.deployment])
        // Their ledger ConfigMaps and their own ConfigMaps go; the Secrets a kept entry names stay.
        #expect(
            Set(doomed.objects) == [
                "ConfigMap/\(b.configMapName)", "ConfigMap/\(c.configMapName)", "ConfigMap/env-b", "ConfigMap/env-c",
            ]
        )
        // b's image is no kept entry's: removed from the nodes.
        #expect(doomed.digests == ["sha256:b"] && doomed.kept == ["sha256:a", "sha256:d"])
        #expect(K3sRetention.prune([a, b], keep: 5, protected: [b.deployment]).objects.isEmpty)
    }

    @Test func aRollbackGoesToThePreviousOrTheNamedRelease() throws {
        let a = Self.entry("aaaaaaaaaaaa-00000001", at: 1, image: K3sFixtures.old, objects: [])
        let b = Self.entry("bbbbbbbbbbbb-00000002", at: 2, image: K3sFixtures.new, objects: [])
        var cluster = ClusterObservation(
            workloads: [
                "gateway": .init(
                    deployment: b.deployment,
                    previous: a.deployment,
                    image: K3sFixtures.new,
                    complete: true
                )
            ],
            ledger: RolloutLedger(entries: [a, b])
        )
        #expect(RollbackChoice.target("gateway", in: cluster, release: nil) == .deployment(a.deployment))
        #expect(
            RollbackChoice.target("gateway", in: cluster, release: ReleaseID("aaaaaaaaaaaa"))
                == .deployment(a.deployment)
        )
        #expect(
            RollbackChoice.target("gateway", in: cluster, release: ReleaseID("bbbbbbbbbbbb"))
                == .deployment(b.deployment)
        )
        guard case .nothing(let why) = RollbackChoice.target("gateway", in: cluster, release: ReleaseID("cccccccccccc"))
        else {
            Issue.record("a release not kept was chosen")
            return
        }
        #expect(why.contains("kept: aaaaaaaaaaaa, bbbbbbbbbbbb"))
        cluster.workloads["gateway"]?.previous = ""
        #expect(
            RollbackChoice.target("gateway", in: cluster, release: nil)
                == .nothing("no earlier release is kept to go back to")
        )
        #expect(RollbackChoice.target("provider", in: cluster, release: nil) == .nothing("nothing of it is deployed"))
    }

    @Test func aRollbackReappliesTheKeptDeploymentAndSwapsTheTargets() async throws {
        let a = Self.entry(
            "aaaaaaaaaaaa-00000001",
            at: 1,
            image: K3sFixtures.old,
            objects: [],
            manifests: [ManifestDocument(kind: "Deployment", name: "gateway", text: "kind: Deployment\n")]
        )
        let b = Self.entry("bbbbbbbbbbbb-00000002", at: 2, image: K3sFixtures.new, objects: [])
        let held = K3sFixtures.listing([
            ("lurus.local/gateway@" + K3sFixtures.digest(K3sFixtures.old), K3sFixtures.digest(K3sFixtures.old), true)
        ])
        let cluster = Self.cluster(
            serving: b,
            previous: a,
            held: held,
            polls: [try K3sFixtures.poll("healthy", image: K3sFixtures.old)]
        )
        let (rollout, _, placed) = try await K3sFixtures.rollout(over: cluster)
        let gateway = try #require(placed.first { $0.name == "gateway" })
        let plan = await rollout.rollbackPlan(gateway, to: nil)
        #expect(plan.lines == ["brain  gateway  \(b.deployment) -> \(a.deployment)"])
        let report = await rollout.rollback(plan)
        #expect(report.succeeded && report.outcomes.map(\.result) == [.rolledOut])
        #expect(cluster.calls("apply").first?.inputText.contains("kind: Namespace") == true)
        let annotate = try #require(cluster.calls("annotate").first)
        #expect(annotate.line.contains("lurus.dev/deployment=\(a.deployment)"))
        #expect(annotate.line.contains("lurus.dev/previous=\(b.deployment)"))
    }

    @Test func aRollbackToAnImageANodeLacksIsRefusedBeforeAnythingIsApplied() async throws {
        let a = Self.entry("aaaaaaaaaaaa-00000001", at: 1, image: K3sFixtures.old, objects: [])
        let b = Self.entry("bbbbbbbbbbbb-00000002", at: 2, image: K3sFixtures.new, objects: [])
        let cluster = Self.cluster(serving: b, previous: a, held: K3sFixtures.listing([]))
        let (rollout, _, placed) = try await K3sFixtures.rollout(over: cluster)
        let gateway = try #require(placed.first { $0.name == "gateway" })
        let report = await rollout.rollback(await rollout.rollbackPlan(gateway, to: nil))
        #expect(report.failures.first?.error.message.contains("is not on brain") == true)
        #expect(cluster.calls("apply").isEmpty)
    }

    @Test func theImageArchiveIsWrittenOnceAndIsTheSameOnEveryBuild() async throws {
        let inventory = try ManifestFixtures.inventory("lurus")
        let gateway = try #require(try ServiceCatalog.resolve(in: inventory).first { $0.name == "gateway" })
        var digests: [String] = []
        var bytes: [Data] = []
        for run in 0..<2 {
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("lurus-image-\(getpid())-\(run)")
            defer { try? FileManager.default.removeItem(at: root) }
            let cache = BuildCache(root: root)
            let built = try K3sFixtures.standInRelease(of: gateway, in: cache)
            let first = try await ServiceImageArchive.make(for: gateway, built: built, cache: cache)
            let modified = try FileManager.default.attributesOfItem(atPath: first.path)[.modificationDate] as? Date
            let second = try await ServiceImageArchive.make(for: gateway, built: built, cache: cache)
            #expect(second == first)
            #expect(
                try FileManager.default.attributesOfItem(atPath: first.path)[.modificationDate] as? Date == modified,
                "taken from the cache, not written again"
            )
            #expect(
                first.tag == "lurus.local/gateway:\(K3sFixtures.release)"
                    && first.image.reference.hasPrefix("lurus.local/gateway@sha256:")
            )
            digests.append(first.image.digest)
            bytes.append(try Data(contentsOf: URL(fileURLWithPath: first.path)))
        }
        #expect(digests[0] == digests[1] && bytes[0] == bytes[1])
    }
}
