import Foundation

/// What the K3s server holds of lurusctl's services, read by `observe.sh` in one command: each Deployment
/// (the deployment it last verified, the image it runs, whether its rollout is complete) and the ledger.
/// Pure.
public struct ClusterObservation: Sendable, Hashable {
    public struct Workload: Sendable, Hashable {
        /// `lurus.dev/deployment`: the deployment lurusctl last saw become ready here.
        public var deployment: String?
        /// `lurus.dev/previous`: the one it served before, where a rollback goes.
        public var previous: String?
        /// The image of the container named after the service.
        public var image: String?
        /// The controller has seen the newest spec and every wanted replica runs it and is available.
        public var complete: Bool
    }

    /// By service (the Deployment's name).
    public var workloads: [String: Workload]
    public var ledger: RolloutLedger

    public init(workloads: [String: Workload] = [:], ledger: RolloutLedger = RolloutLedger()) {
        self.workloads = workloads
        self.ledger = ledger
    }

    /// The annotation that names the deployment a Deployment last became ready with. It is metadata, not
    /// part of the pod template, so setting it starts no rollout.
    public static let deploymentAnnotation = "lurus.dev/deployment"
    public static let previousAnnotation = "lurus.dev/previous"

    /// The line between the two JSON documents `observe.sh` and `rollout-state.sh` print.
    public static let marker = "---lurusctl---"

    /// The two JSON documents of a script's output, split at the marker line.
    static func halves(_ output: [UInt8]) -> ([UInt8], [UInt8])? {
        let text = String(decoding: output, as: UTF8.self)
        guard let range = text.range(of: "\n" + Self.marker + "\n") else { return nil }
        return (Array(text[..<range.lowerBound].utf8), Array(text[range.upperBound...].utf8))
    }

    /// Reads `observe.sh`'s output.
    public static func parse(_ output: [UInt8]) throws(RolloutObservationError) -> ClusterObservation {
        guard let (deployments, configMaps) = Self.halves(output) else {
            throw RolloutObservationError("the K3s server's answer has no '\(Self.marker)' line")
        }
        let listing: DeploymentListing
        do {
            listing = try JSONDecoder().decode(DeploymentListing.self, from: Data(deployments))
        } catch {
            throw RolloutObservationError("kubectl's Deployment list is not what was expected: \(error)")
        }
        var workloads: [String: Workload] = [:]
        for item in listing.items {
            let name = item.metadata.name
            let wanted = item.spec.replicas ?? 1
            let status = item.status
            let complete =
                (status?.observedGeneration ?? -1) >= (item.metadata.generation ?? 0)
                && (status?.updatedReplicas ?? 0) >= wanted && (status?.availableReplicas ?? 0) >= wanted
                && (status?.replicas ?? 0) == (status?.updatedReplicas ?? 0)
            workloads[name] = Workload(
                deployment: item.metadata.annotations?[Self.deploymentAnnotation],
                previous: item.metadata.annotations?[Self.previousAnnotation],
                image: item.spec.template.spec.containers.first { $0.name == name }?.image,
                complete: complete
            )
        }
        return ClusterObservation(workloads: workloads, ledger: try RolloutLedger.parse(configMaps))
    }

    /// The deployment `service` serves now: its annotation, when the ledger knows it.
    public func serving(_ service: String) -> LedgerEntry? {
        guard let name = self.workloads[service]?.deployment else { return nil }
        return self.ledger.entry(service: service, deployment: name)
    }
}

/// The fields of `kubectl get deployments -o json` a deploy reads.
struct DeploymentListing: Decodable {
    struct Item: Decodable {
        struct Metadata: Decodable {
            var name: String
            var generation: Int?
            var annotations: [String: String]?
        }
        struct Spec: Decodable {
            struct Template: Decodable {
                struct PodSpec: Decodable {
                    struct Container: Decodable {
                        var name: String
                        var image: String?
                    }
                    var containers: [Container]
                }
                var spec: PodSpec
            }
            var replicas: Int?
            var template: Template
        }
        struct Status: Decodable {
            var observedGeneration: Int?
            var replicas: Int?
            var updatedReplicas: Int?
            var availableReplicas: Int?
        }
        var metadata: Metadata
        var spec: Spec
        var status: Status?
    }
    var items: [Item]
}
