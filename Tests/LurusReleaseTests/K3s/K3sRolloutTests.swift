import Foundation
import LurusEngine
import LurusInventory
import Testing

@testable import LurusRelease

/// A deploy under the K3s runtime against recorded kubectl and ctr output (`RecordedCluster`): images
/// streamed, pinned and checked per node; the manifests on kubectl's standard input; the rollout watched to
/// its verdict; a failed one undone by re-applying what served; the ledger and retention.
@Suite struct K3sRolloutTests {
    static let pinnedNew = K3sFixtures.listing([
        ("lurus.local/gateway:\(K3sFixtures.release)", K3sFixtures.digest(K3sFixtures.new), true),
        ("lurus.local/gateway@" + K3sFixtures.digest(K3sFixtures.new), K3sFixtures.digest(K3sFixtures.new), true),
    ])

    @Test func aFirstDeployImportsPinsAppliesWatchesAndRecords() async throws {
        let cluster = RecordedCluster(
            observe: K3sFixtures.observe(),
            images: ["brain": K3sFixtures.listing([])],
            imported: Self.pinnedNew,
            polls: [try K3sFixtures.poll("progressing"), try K3sFixtures.poll("healthy")]
        )
        let (rollout, archive, _) = try await K3sFixtures.rollout(over: cluster)
        let plan = await K3sFixtures.plan(rollout, archive: archive)
        #expect(plan.unreachable.isEmpty)
        #expect(plan.images.map(\.state) == [.missing])
        #expect(plan.services.map(\.changes) == [true])
        #expect(
            plan.lines.contains {
                $0.hasPrefix("brain  gateway  image sha256:7a3c0e5d9b1f") && $0.contains("import 52.6 MB")
            }
        )

        let report = await rollout.apply(plan) { _, _ in }
        #expect(report.succeeded, "\(report.failures)")
        #expect(report.outcomes.map(\.result) == [.imported, .rolledOut])
        #expect(report.shippedBytes == archive.size)
        // The archive is streamed from the build cache into the import on brain, named for --digests.
        let imports = cluster.calls("import")
        #expect(imports.map(\.node) == ["brain"] && imports.first?.inputFile == archive.path)
        #expect(imports.first?.line.contains("lurus.local/gateway@sha256:7a3c0e5d9b1f") == true)
        // Namespace first, then the gateway's own documents with its Secret's values filled.
        let applies = cluster.calls("apply")
        #expect(applies.count == 3)
        #expect(applies[0].inputText.contains("kind: Namespace"))
        let secretValue = Data("test-secret-\(plan.services[0].service.secretFiles[0].secret)".utf8)
            .base64EncodedString()
        #expect(applies[1].inputText.contains("kind: Deployment") && applies[1].inputText.contains(secretValue))
        #expect(!applies[1].inputText.contains("@lurus-secret:"))
        // The ledger entry keeps the slots, never a value; then the Deployment is marked as serving it.
        #expect(applies[2].inputText.contains(RolloutLedger.label) && !applies[2].inputText.contains(secretValue))
        let annotate = try #require(cluster.calls("annotate").first)
        #expect(annotate.line.contains("lurus.dev/deployment=\(plan.services[0].entry.deployment)"))
        // No value on any command line.
        #expect(cluster.recorded.allSatisfy { !$0.line.contains(secretValue) })
        #expect(cluster.calls("poll").count == 2 && cluster.calls("status").count == 1)
    }

    @Test func anUnchangedDeployImportsAndAppliesNothing() async throws {
        let cluster = RecordedCluster(observe: K3sFixtures.observe(), images: ["brain": Self.pinnedNew])
        let (rollout, archive, _) = try await K3sFixtures.rollout(over: cluster)
        let first = await K3sFixtures.plan(rollout, archive: archive)
        let entry = first.services[0].entry
        cluster.observe = K3sFixtures.observe(
            deployments: [K3sFixtures.deployment("gateway", serving: entry.deployment, image: K3sFixtures.new)],
            entries: [entry]
        )
        let plan = await K3sFixtures.plan(rollout, archive: archive)
        #expect(plan.services[0].entry.deployment == entry.deployment)
        #expect(plan.changeCount == 0 && plan.nodes.isEmpty)
        #expect(plan.lines.contains { $0.hasSuffix("unchanged (serving)") })
        let before = cluster.recorded.count
        let report = await rollout.apply(plan) { _, _ in }
        #expect(report.succeeded && report.outcomes.isEmpty)
        #expect(cluster.recorded.count == before)
    }

    @Test func anInterruptedRolloutIsFinishedByTheRerun() async throws {
        // Ctrl-C after the apply: the Deployment runs the new image but was never marked as serving it.
        let cluster = RecordedCluster(
            observe: K3sFixtures.observe(),
            images: ["brain": Self.pinnedNew],
            polls: [try K3sFixtures.poll("healthy")]
        )
        let (rollout, archive, _) = try await K3sFixtures.rollout(over: cluster)
        let entry = await K3sFixtures.plan(rollout, archive: archive).services[0].entry
        cluster.observe = K3sFixtures.observe(
            deployments: [K3sFixtures.deployment("gateway", serving: "0f3a9c1d2e4b-5e8a1c4f", image: K3sFixtures.new)]
        )
        let plan = await K3sFixtures.plan(rollout, archive: archive)
        #expect(plan.services[0].changes && plan.services[0].entry.deployment == entry.deployment)
        let report = await rollout.apply(plan) { _, _ in }
        #expect(report.succeeded && report.outcomes.map(\.result) == [.rolledOut])
    }

    @Test func aCrashLoopFailsFastAndTheServingDeploymentIsReapplied() async throws {
        let serving = K3sStateTests.entry(
            "0f3a9c1d2e4b-5e8a1c4f",
            at: 1_764_000_000,
            image: K3sFixtures.old,
            objects: ["ConfigMap/gateway-env-0000000000", "Secret/gateway-secrets-0000000000"],
            manifests: [
                ManifestDocument(kind: "ConfigMap", name: "gateway-env-0000000000", text: "kind: ConfigMap\n"),
                ManifestDocument(
                    kind: "Secret",
                    name: "gateway-secrets-0000000000",
                    text: "kind: Secret\n",
                    secretSlots: ["gateway/keys"]
                ),
                ManifestDocument(
                    kind: "Deployment",
                    name: "gateway",
                    text: "kind: Deployment\nimage: \(K3sFixtures.old)\n"
                ),
            ]
        )
        let cluster = RecordedCluster(
            observe: K3sFixtures.observe(
                deployments: [K3sFixtures.deployment("gateway", serving: serving.deployment, image: K3sFixtures.old)],
                entries: [serving]
            ),
            images: ["brain": Self.pinnedNew],
            polls: [
                try K3sFixtures.poll("progressing"), try K3sFixtures.poll("crash-loop-back-off"),
                try K3sFixtures.poll("healthy", image: K3sFixtures.old),
            ]
        )
        let (rollout, archive, _) = try await K3sFixtures.rollout(over: cluster)
        let plan = await K3sFixtures.plan(rollout, archive: archive)
        #expect(plan.services[0].serving == serving.deployment)
        let report = await rollout.apply(plan) { _, _ in }
        let failure = try #require(report.failures.first)
        #expect(report.failures.count == 1 && failure.node == "brain")
        #expect(failure.error.message.contains("CrashLoopBackOff"))
        #expect(failure.error.message.contains("last log lines") && failure.error.message.contains("CATALOG_FILE"))
        #expect(failure.error.message.contains("rolled back: \(serving.deployment) serves gateway again"))
        // Failed at the second poll, not after the deadline; the old deployment's documents re-applied
        // without its Secret (still in the cluster by its hash name), then watched until ready.
        #expect(cluster.calls("poll").count == 3)
        let applies = cluster.calls("apply")
        #expect(applies.count == 3)
        #expect(applies[2].inputText.contains(K3sFixtures.old) && !applies[2].inputText.contains("kind: Secret"))
        #expect(applies[2].inputText.contains("kind: ConfigMap"))
        #expect(cluster.calls("annotate").isEmpty && cluster.calls("logs").count == 1)
    }

    @Test func aFirstDeployThatFailsSaysThereIsNothingToGoBackTo() async throws {
        let cluster = RecordedCluster(
            observe: K3sFixtures.observe(),
            images: ["brain": Self.pinnedNew],
            polls: [try K3sFixtures.poll("oom-killed")]
        )
        let (rollout, archive, _) = try await K3sFixtures.rollout(over: cluster)
        let report = await rollout.apply(await K3sFixtures.plan(rollout, archive: archive)) { _, _ in }
        let message = try #require(report.failures.first?.error.message)
        #expect(message.contains("OOMKilled") && message.contains("nothing to go back to"))
        #expect(cluster.calls("apply").count == 2)
    }

    @Test func everyRecordedFailureKindEndsTheWatchAtTheFirstPoll() async throws {
        let kinds: [(String, RolloutFailure.Reason)] = [
            ("err-image-pull", .errImagePull), ("image-pull-back-off", .imagePullBackOff),
            ("err-image-never-pull", .errImageNeverPull), ("crash-loop-back-off", .crashLoopBackOff),
            ("oom-killed", .oomKilled), ("create-container-config-error", .createContainerConfigError),
            ("unschedulable", .unschedulable),
        ]
        for (name, reason) in kinds {
            let cluster = RecordedCluster(
                observe: K3sFixtures.observe(),
                images: [:],
                polls: [try K3sFixtures.poll(name)]
            )
            let (rollout, _, _) = try await K3sFixtures.rollout(over: cluster)
            let watched = try await rollout.deployer.watch(RolloutVerdictTests.target, deadline: .seconds(30))
            guard case .failed(let failure, _) = watched else {
                Issue.record("\(name): \(watched)")
                continue
            }
            #expect(failure.reason == reason, "\(name)")
            #expect(cluster.calls("poll").count == 1, "\(name)")
        }
    }

    @Test func aRolloutStillProgressingAtTheDeadlineSaysWhatItWaitedFor() async throws {
        let cluster = RecordedCluster(
            observe: K3sFixtures.observe(),
            images: [:],
            polls: [try K3sFixtures.poll("progressing")]
        )
        let (rollout, _, _) = try await K3sFixtures.rollout(over: cluster)
        let watched = try await rollout.deployer.watch(RolloutVerdictTests.target, deadline: .milliseconds(50))
        #expect(watched == .timedOut("1 of 2 new pods ready, 1 old pod still running"))
    }

    @Test func anImportWhoseDigestDoesNotArriveFailsAndNothingIsApplied() async throws {
        let cluster = RecordedCluster(
            observe: K3sFixtures.observe(),
            images: ["brain": K3sFixtures.listing([])],
            imported: K3sFixtures.listing([
                ("lurus.local/gateway:\(K3sFixtures.release)", K3sFixtures.digest(K3sFixtures.old), true)
            ])
        )
        let (rollout, archive, _) = try await K3sFixtures.rollout(over: cluster)
        let report = await rollout.apply(await K3sFixtures.plan(rollout, archive: archive)) { _, _ in }
        #expect(report.failures.count == 2)
        #expect(report.failures[0].error.message.contains("brain: after the import containerd does not hold"))
        #expect(report.failures[0].error.message.contains(K3sFixtures.digest(K3sFixtures.old)))
        #expect(report.failures[1].error.message.contains("not verified on brain"))
        #expect(cluster.calls("apply").count == 1, "only the namespace")
        #expect(cluster.calls("poll").isEmpty)
    }

    @Test func aNodeThatCannotBeReadHoldsBackOnlyTheServicesPlacedThere() async throws {
        let cluster = RecordedCluster(observe: K3sFixtures.observe(), images: [:])
        cluster.down = ["brain"]
        let (rollout, archive, _) = try await K3sFixtures.rollout(over: cluster)
        // brain is also the server: nothing can be planned, and it says why.
        let plan = await K3sFixtures.plan(rollout, archive: archive)
        #expect(plan.unreachable.map(\.node) == ["brain"])
        #expect(plan.unreachable[0].message.contains("no route to host"))
        let report = await rollout.apply(plan) { _, _ in }
        #expect(!report.succeeded && cluster.calls("apply").isEmpty)
    }

    @Test func anUnpinnedImageIsPinnedNotImported() async throws {
        let unpinned = K3sFixtures.listing([
            ("lurus.local/gateway:\(K3sFixtures.release)", K3sFixtures.digest(K3sFixtures.new), false)
        ])
        let cluster = RecordedCluster(
            observe: K3sFixtures.observe(),
            images: ["brain": unpinned],
            polls: [try K3sFixtures.poll("healthy")]
        )
        let (rollout, archive, _) = try await K3sFixtures.rollout(over: cluster)
        let plan = await K3sFixtures.plan(rollout, archive: archive)
        #expect(plan.images.map(\.state) == [.unpinned])
        let report = await rollout.apply(plan) { _, _ in }
        #expect(report.succeeded && report.shippedBytes == 0)
        #expect(cluster.calls("import").isEmpty)
        #expect(cluster.calls("pin").map(\.line).allSatisfy { $0.contains("io.cri-containerd.pinned=pinned") })
        #expect(cluster.calls("pin").count == 1)
    }

    @Test func aSuccessfulRolloutPrunesTheLedgerTheObjectsAndTheImagesNoKeptEntryRuns() async throws {
        func image(_ hex: Character) -> String { "lurus.local/gateway@sha256:" + String(repeating: hex, count: 64) }
        let serving = K3sStateTests.entry(
            "0f3a9c1d2e4b-00000003",
            at: 3,
            image: K3sFixtures.old,
            objects: ["ConfigMap/s-env"]
        )
        let previous = K3sStateTests.entry(
            "9d8c7b6a5f4e-00000002",
            at: 2,
            image: image("b"),
            objects: ["ConfigMap/p-env"]
        )
        let oldest = K3sStateTests.entry(
            "8c7b6a5f4e3d-00000001",
            at: 1,
            image: image("c"),
            objects: ["ConfigMap/o-env"]
        )
        let held = [K3sFixtures.old, K3sFixtures.new, image("b"), image("c"), image("d")].map { reference in
            (reference, K3sFixtures.digest(reference), true)
        }
        let cluster = RecordedCluster(
            observe: K3sFixtures.observe(
                deployments: [
                    K3sFixtures.deployment(
                        "gateway",
                        serving: serving.deployment,
                        previous: previous.deployment,
                        image: K3sFixtures.old
                    )
                ],
                entries: [serving, previous, oldest]
            ),
            images: ["brain": K3sFixtures.listing(held)],
            polls: [try K3sFixtures.poll("healthy")]
        )
        let (rollout, archive, _) = try await K3sFixtures.rollout(over: cluster)
        let report = await rollout.apply(await K3sFixtures.plan(rollout, archive: archive)) { _, _ in }
        #expect(report.succeeded, "\(report.failures)")
        // keep_releases 2: the new deployment and the one it replaced (the rollback target now) stay.
        let annotate = try #require(cluster.calls("annotate").first)
        #expect(annotate.line.contains("lurus.dev/previous=\(serving.deployment)"))
        let delete = try #require(cluster.calls("delete").first?.line)
        for object in [
            "ConfigMap/\(previous.configMapName)", "ConfigMap/\(oldest.configMapName)", "ConfigMap/p-env",
            "ConfigMap/o-env",
        ] {
            #expect(delete.contains(object), "\(object)")
        }
        #expect(!delete.contains(serving.configMapName) && !delete.contains("s-env"))
        // On brain: the pruned entries' images and one no entry ever ran (a failed rollout's); never the
        // serving one's or the new one's.
        let remove = try #require(cluster.calls("remove").first?.line)
        for hex: Character in ["b", "c", "d"] { #expect(remove.contains(String(repeating: hex, count: 64))) }
        #expect(
            !remove.contains(K3sFixtures.digest(K3sFixtures.old))
                && !remove.contains(K3sFixtures.digest(K3sFixtures.new))
        )
    }
}
