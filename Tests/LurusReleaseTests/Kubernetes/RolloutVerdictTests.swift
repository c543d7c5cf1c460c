import Foundation
import LurusTestSupport
import Testing

@testable import LurusRelease

/// Rollout verdicts from recorded `kubectl get pods -l app=gateway -n lurus -o json` and
/// `kubectl get events -n lurus -o json` output (`Golden/rollout/CASE.pods.json`, `CASE.events.json`): a
/// rollout of two gateway pods from an old image to a new one.
@Suite struct RolloutVerdictTests {
    static let image = "lurus.local/gateway@sha256:7a3c0e5d9b1f24c6a8e0d2b4f6a8c0e2d4b6f8a0c2e4d6b8f0a2c4e6d8b0f2a4"
    static let target = RolloutTarget(service: "gateway", image: Self.image, replicas: 2)
    static let failingPod = "gateway-5c9d7f6b8d-k2x9p"

    static func fixture(_ name: String) throws -> [UInt8] {
        Array(
            try Data(
                contentsOf: URL(fileURLWithPath: Repository.path("Tests/LurusReleaseTests/Golden/rollout/\(name)"))
            )
        )
    }

    static func verdict(_ name: String) throws -> RolloutVerdict {
        try RolloutVerdict.decide(
            Self.target,
            pods: try self.fixture("\(name).pods.json"),
            events: try self.fixture("\(name).events.json")
        )
    }

    static func failure(_ name: String) throws -> RolloutFailure {
        let verdict = try self.verdict(name)
        let failure = try #require(verdict.failure, "\(name): \(verdict) is not a failure")
        #expect(failure.service == "gateway")
        #expect(failure.pod == Self.failingPod)
        return failure
    }

    @Test func twoReadyNewPodsAndNoOldOneIsReady() throws {
        #expect(try Self.verdict("healthy") == .ready)
    }

    @Test func aHealthyRolloutWithMoreReplicasWantedIsStillProgressing() throws {
        var target = Self.target
        target.replicas = 3
        let verdict = try RolloutVerdict.decide(target, pods: try Self.fixture("healthy.pods.json"))
        #expect(verdict == .progressing("2 of 3 new pods ready"))
    }

    @Test func aPodStillBeingCreatedBesideOldOnesIsProgressing() throws {
        // One old pod is terminating (not counted), one still runs; one new pod is ready, one being created.
        #expect(try Self.verdict("progressing") == .progressing("1 of 2 new pods ready, 1 old pod still running"))
    }

    @Test func errImagePullNamesThePodTheNodeAndTheImport() throws {
        let failure = try Self.failure("err-image-pull")
        #expect(failure.reason == .errImagePull)
        #expect(failure.node == "brain")
        #expect(failure.detail.contains("lookup lurus.local: no such host"))
        #expect(failure.events.last == "Warning Failed: Error: ErrImagePull")
        #expect(failure.events.count == 4)
        #expect(failure.remedy.contains("k3s ctr -n k8s.io images import"))
        #expect(failure.remedy.contains("grep sha256:7a3c0e5d"))
    }

    @Test func imagePullBackOffQuotesTheLastFiveEventsWithTheirCounts() throws {
        let failure = try Self.failure("image-pull-back-off")
        #expect(failure.reason == .imagePullBackOff)
        #expect(failure.events.count == 5, "the scheduling event is the sixth from the end and left out")
        #expect(failure.events.last == "Warning Failed: Error: ImagePullBackOff (x4)")
        #expect(
            failure.description.hasPrefix(
                "gateway: pod \(Self.failingPod) on brain: ImagePullBackOff: Back-off pulling image"
            )
        )
    }

    @Test func errImageNeverPullFailsAtOnce() throws {
        let failure = try Self.failure("err-image-never-pull")
        #expect(failure.reason == .errImageNeverPull)
        #expect(failure.detail.contains("is not present with pull policy of Never"))
        #expect(failure.remedy.contains("import it there"))
    }

    @Test func crashLoopBackOffGivesTheExitCodeAndTheLogCommand() throws {
        let failure = try Self.failure("crash-loop-back-off")
        #expect(failure.reason == .crashLoopBackOff)
        #expect(failure.detail == "container gateway exits at start (exit code 1, Error), restarted 3 times")
        #expect(failure.remedy.contains("k3s kubectl logs -n lurus \(Self.failingPod) --previous"))
        #expect(failure.events.last?.hasPrefix("Warning BackOff: Back-off restarting failed container gateway") == true)
    }

    @Test func oomKilledIsAFailureEvenOnceTheContainerRunsAgain() throws {
        let failure = try Self.failure("oom-killed")
        #expect(failure.reason == .oomKilled)
        #expect(
            failure.detail
                == "container gateway was killed for using more than its memory limit (512Mi), restarted 1 time"
        )
        #expect(failure.remedy.contains("memory limit"))
    }

    @Test func createContainerConfigErrorNamesTheMissingConfigMap() throws {
        let failure = try Self.failure("create-container-config-error")
        #expect(failure.reason == .createContainerConfigError)
        #expect(failure.detail == "configmap \"gateway-env-4e1f0a9c2b\" not found")
        #expect(failure.remedy.contains("apply the release's manifests again"))
    }

    @Test func anUnschedulablePodSaysWhyNoNodeTakesIt() throws {
        let failure = try Self.failure("unschedulable")
        #expect(failure.reason == .unschedulable)
        #expect(failure.node == nil)
        #expect(failure.detail.hasPrefix("0/3 nodes are available: 1 Insufficient memory"))
        #expect(failure.events.count == 1)
    }

    @Test func aFailingOldPodDoesNotFailTheNewRollout() throws {
        // The failing pod runs the image the rollout is leaving: it is not the rollout's fault.
        var target = Self.target
        target.image = "lurus.local/gateway@sha256:19d4b7e2a5c8f1d4b7e0a3c6f9d2b5e8a1c4f7d0b3e6a9c2f5d8b1e4a7c0f3d6"
        target.replicas = 1
        let verdict = try RolloutVerdict.decide(target, pods: try Self.fixture("crash-loop-back-off.pods.json"))
        #expect(verdict == .progressing("1 of 1 new pods ready, 1 old pod still running"))
    }

    @Test func unreadableOutputIsAnError() {
        #expect(throws: RolloutObservationError.self) {
            try RolloutVerdict.decide(Self.target, pods: Array("error: the server doesn't have a resource type".utf8))
        }
    }
}

extension RolloutVerdict {
    /// The failure, when it is one.
    var failure: RolloutFailure? {
        if case .failed(let failure) = self { return failure }
        return nil
    }
}
