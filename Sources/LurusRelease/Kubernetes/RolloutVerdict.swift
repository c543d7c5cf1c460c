import Foundation

/// What a rollout is doing, decided from what kubectl shows of its pods: still going, done, or failed
/// with a reason a person can act on. Pure: the runner polls kubectl and stops at the first verdict that
/// is not `progressing`, instead of waiting out the progress deadline (`rollout status` waits 600 s on
/// ErrImageNeverPull, kubedog #211).
public enum RolloutVerdict: Sendable, Hashable {
    /// Not finished; says what it waits for.
    case progressing(String)
    /// Every pod runs the new image and the ready ones reach the replicas wanted.
    case ready
    case failed(RolloutFailure)

    /// The verdict on `target` from `kubectl get pods -l app=SERVICE -n lurus -o json` (`pods`) and,
    /// when read, `kubectl get events -n lurus -o json` (`events`), quoted in a failure.
    public static func decide(
        _ target: RolloutTarget,
        pods: [UInt8],
        events: [UInt8]? = nil
    ) throws(RolloutObservationError) -> RolloutVerdict {
        let listing: PodListing
        do {
            listing = try JSONDecoder().decode(PodListing.self, from: Data(pods))
        } catch {
            throw RolloutObservationError("kubectl's pod list for \(target.service) is not what was expected: \(error)")
        }
        var eventListing = EventListing(items: [])
        if let events {
            do {
                eventListing = try JSONDecoder().decode(EventListing.self, from: Data(events))
            } catch {
                throw RolloutObservationError("kubectl's event list is not what was expected: \(error)")
            }
        }
        return self.decide(target, pods: listing, events: eventListing)
    }

    static func decide(_ target: RolloutTarget, pods: PodListing, events: EventListing) -> RolloutVerdict {
        let live = pods.items.filter { $0.metadata.deletionTimestamp == nil }.sorted {
            $0.metadata.name < $1.metadata.name
        }
        let new = live.filter { $0.spec?.containers.first { $0.name == target.container }?.image == target.image }
        for pod in new {
            if let failure = self.failure(of: pod, target: target, events: events) { return .failed(failure) }
        }
        let ready = new.filter { $0.condition("Ready")?.status == "True" }.count
        let old = live.count - new.count
        if ready >= target.replicas && old == 0 { return .ready }
        var waits = ["\(ready) of \(target.replicas) new pods ready"]
        if old > 0 { waits.append("\(old) old pod\(old == 1 ? "" : "s") still running") }
        return .progressing(waits.joined(separator: ", "))
    }

    /// Why `pod` cannot become ready without someone changing something, or nil.
    static func failure(of pod: PodListing.Pod, target: RolloutTarget, events: EventListing) -> RolloutFailure? {
        let node = pod.spec?.nodeName
        let lastEvents = events.items.filter {
            $0.involvedObject.kind == "Pod" && $0.involvedObject.name == pod.metadata.name
        }
        .sorted { $0.time < $1.time }.suffix(5).map(\.line)
        func failed(_ reason: RolloutFailure.Reason, _ detail: String) -> RolloutFailure {
            RolloutFailure(
                reason: reason,
                service: target.service,
                pod: pod.metadata.name,
                node: node,
                detail: detail,
                events: lastEvents,
                remedy: reason.remedy(pod: pod.metadata.name, node: node, target: target)
            )
        }
        if let scheduled = pod.condition("PodScheduled"), scheduled.status == "False",
            scheduled.reason == "Unschedulable"
        {
            return failed(.unschedulable, scheduled.message ?? "no node may take it")
        }
        for status in pod.status?.containerStatuses ?? [] {
            if status.state?.terminated?.reason == "OOMKilled" || status.lastState?.terminated?.reason == "OOMKilled" {
                let limit = pod.spec?.containers.first { $0.name == status.name }?.resources?.limits?["memory"]
                let restarts = status.restartCount ?? 0
                return failed(
                    .oomKilled,
                    "container \(status.name) was killed for using more than its memory limit"
                        + (limit.map { " (\($0))" } ?? "") + ", restarted \(restarts) time\(restarts == 1 ? "" : "s")"
                )
            }
            guard let waiting = status.state?.waiting, let text = waiting.reason,
                let reason = RolloutFailure.Reason(rawValue: text)
            else { continue }
            var detail = waiting.message ?? "container \(status.name) is waiting"
            if reason == .crashLoopBackOff, let exit = status.lastState?.terminated {
                detail =
                    "container \(status.name) exits at start (exit code \(exit.exitCode.map(String.init) ?? "?")"
                    + (exit.reason.map { ", \($0)" } ?? "") + "), restarted \(status.restartCount ?? 0) times"
            }
            return failed(reason, detail)
        }
        return nil
    }
}

/// The rollout being watched: which service, the image its new pods run, how many must be ready.
public struct RolloutTarget: Sendable, Hashable {
    public var service: String
    /// The container that runs the service (named after it).
    public var container: String
    /// The new pods' image, as the Deployment names it (`lurus.local/gateway@sha256:…`).
    public var image: String
    /// The ready pods that make the rollout done (the HPA's minimum when one owns the replicas).
    public var replicas: Int
    public var namespace: String

    public init(service: String, image: String, replicas: Int, namespace: String = "lurus") {
        self.service = service
        self.container = service
        self.image = image
        self.replicas = replicas
        self.namespace = namespace
    }
}

/// A rollout that will not finish by waiting: which pod, where, why, its last events, and what to do.
public struct RolloutFailure: Sendable, Hashable, CustomStringConvertible {
    /// The reasons a rollout is failed at once, as Kubernetes names them.
    public enum Reason: String, Sendable, Hashable, CaseIterable {
        case errImagePull = "ErrImagePull"
        case imagePullBackOff = "ImagePullBackOff"
        case errImageNeverPull = "ErrImageNeverPull"
        case invalidImageName = "InvalidImageName"
        case crashLoopBackOff = "CrashLoopBackOff"
        case oomKilled = "OOMKilled"
        case createContainerConfigError = "CreateContainerConfigError"
        case createContainerError = "CreateContainerError"
        case unschedulable = "Unschedulable"

        /// What a person does about it.
        func remedy(pod: String, node: String?, target: RolloutTarget) -> String {
            let on = node.map { " on \($0)" } ?? ""
            let digest = target.image.split(separator: "@").last.map(String.init) ?? target.image
            switch self {
            case .errImagePull, .imagePullBackOff, .errImageNeverPull, .invalidImageName:
                return "the image \(target.image) is not\(on) and cannot be pulled: import it there "
                    + "(k3s ctr -n k8s.io images import), check with `k3s ctr -n k8s.io images ls | grep \(digest)`"
                    + "\(on), and that K3s's embedded registry mirror lists \(PodImage.registry)"
            case .crashLoopBackOff:
                return "read why it exits: `k3s kubectl logs -n \(target.namespace) \(pod) --previous` on the K3s "
                    + "server (a bad setting is named there), fix the configuration or the release, then deploy again"
            case .oomKilled:
                return "raise the service's memory limit in lurusctl's service catalog, or find what grows; "
                    + "`k3s kubectl top pod -n \(target.namespace)` shows what the pods use"
            case .createContainerConfigError, .createContainerError:
                return "a ConfigMap or Secret the pod names is missing or wrong: apply the release's manifests "
                    + "again (`k3s kubectl get configmap,secret -n \(target.namespace)` lists them); never delete "
                    + "the hash-named ones an older ReplicaSet still names"
            case .unschedulable:
                return "no node may take the pod: compare the nodes' labels and taints (`k3s kubectl get nodes "
                    + "--show-labels`) with where the inventory places \(target.service), and free CPU or memory "
                    + "for one more pod (a rollout starts one before it stops one)"
            }
        }
    }

    public var reason: Reason
    public var service: String
    public var pod: String
    public var node: String?
    public var detail: String
    /// The pod's last events, oldest first, as `Warning Failed: MESSAGE (x3)`.
    public var events: [String]
    public var remedy: String

    public var description: String {
        let on = self.node.map { " on \($0)" } ?? ""
        var text = "\(self.service): pod \(self.pod)\(on): \(self.reason.rawValue): \(self.detail)"
        if !self.events.isEmpty {
            text += "\n  last events:\n" + self.events.map { "    \($0)" }.joined(separator: "\n")
        }
        return text + "\n  what to do: \(self.remedy)"
    }
}

/// Output of kubectl that cannot be read.
public struct RolloutObservationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { "\(self.message) (is the K3s server's kubectl the version K3s ships?)" }
}
