import Foundation

/// The parts of `kubectl get pods -o json` and `kubectl get events -o json` a rollout verdict reads.
struct PodListing: Decodable {
    var items: [Pod]

    struct Pod: Decodable {
        var metadata: Metadata
        var spec: Spec?
        var status: Status?

        struct Metadata: Decodable {
            var name: String
            var deletionTimestamp: String?
        }

        struct Spec: Decodable {
            var nodeName: String?
            var containers: [Container]
        }

        struct Container: Decodable {
            var name: String
            var image: String?
            var resources: Resources?
        }

        struct Resources: Decodable {
            var limits: [String: String]?
        }

        struct Status: Decodable {
            var phase: String?
            var conditions: [Condition]?
            var containerStatuses: [ContainerStatus]?
        }

        struct Condition: Decodable {
            var type: String
            var status: String
            var reason: String?
            var message: String?
        }

        struct ContainerStatus: Decodable {
            var name: String
            var ready: Bool?
            var restartCount: Int?
            var state: ContainerState?
            var lastState: ContainerState?
        }

        struct ContainerState: Decodable {
            var waiting: Reason?
            var terminated: Reason?
        }

        struct Reason: Decodable {
            var reason: String?
            var message: String?
            var exitCode: Int?
        }

        func condition(_ type: String) -> Condition? {
            self.status?.conditions?.first { $0.type == type }
        }
    }
}

/// The parts of `kubectl get events -o json` a verdict quotes.
struct EventListing: Decodable {
    var items: [Event]

    struct Event: Decodable {
        var involvedObject: Object
        var type: String?
        var reason: String?
        var message: String?
        var count: Int?
        var lastTimestamp: String?
        var eventTime: String?
        var metadata: Metadata?

        struct Object: Decodable {
            var kind: String?
            var name: String?
        }

        struct Metadata: Decodable {
            var creationTimestamp: String?
        }

        /// When it last happened: RFC 3339 text, which sorts as time does.
        var time: String { self.lastTimestamp ?? self.eventTime ?? self.metadata?.creationTimestamp ?? "" }

        /// `Warning Failed: MESSAGE (x3)`.
        var line: String {
            let count = (self.count ?? 1) > 1 ? " (x\(self.count ?? 1))" : ""
            return "\(self.type ?? "Normal") \(self.reason ?? "?"): \(self.message ?? "")\(count)"
        }
    }
}
