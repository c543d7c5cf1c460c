/// What a node has of each service under the systemd runtime, as `observe.sh` prints it. Pure.
public struct SystemdObservation: Sendable, Hashable {
    /// One service on the node.
    public struct Service: Sendable, Hashable {
        /// The slots, their links and which run, and the serving slot.
        public var slots = SlotDecision.Observed()
        /// Releases installed whole (those with a release.json).
        public var releases: Set<ReleaseID> = []
        /// Deployments written whole, with when (seconds since 1970).
        public var deployments: [String: Double] = [:]
        /// What each deployment's deployed.json says, by deployment name.
        public var records: [String: DeploymentRecord] = [:]

        public init() {}

        /// The deployment the serving slot runs.
        public var serving: String? { self.slots.serving.flatMap { self.slots.slots[$0] } }

        /// What a rollback goes back to: the deployment of the slot that does not serve.
        public var rollbackTarget: String? {
            guard let serving = self.slots.serving else { return nil }
            return self.slots.slots[serving.other].flatMap { $0 == self.serving ? nil : $0 }
        }
    }

    public var services: [String: Service]

    public init(services: [String: Service] = [:]) {
        self.services = services
    }

    public subscript(service: String) -> Service { self.services[service] ?? Service() }

    /// Reads `observe.sh`'s lines; lines it does not know are skipped.
    public static func parse(_ output: String) -> SystemdObservation {
        var services: [String: Service] = [:]
        var current: String?
        for line in output.split(separator: "\n") {
            if line.hasPrefix("record "), let name = current, var service = services[name] {
                if let record = DeploymentRecord.decode(line.dropFirst("record ".count)) {
                    service.records[record.deployment] = record
                    services[name] = service
                }
                continue
            }
            let fields = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard let key = fields.first else { continue }
            if key == "service", fields.count == 2 {
                current = fields[1]
                services[fields[1]] = Service()
                continue
            }
            guard let name = current, var service = services[name] else { continue }
            switch key {
            case "slot" where fields.count == 3:
                if let slot = SystemdLayout.Slot(rawValue: fields[1]) { service.slots.slots[slot] = fields[2] }
            case "state" where fields.count == 3:
                if let slot = SystemdLayout.Slot(rawValue: fields[1]), fields[2] == "active" {
                    service.slots.running.insert(slot)
                }
            case "current" where fields.count == 2:
                service.slots.serving = SystemdLayout.Slot(rawValue: fields[1])
            case "release" where fields.count == 2:
                if let id = ReleaseID(fields[1]) { service.releases.insert(id) }
            case "deployment" where fields.count == 3:
                service.deployments[fields[1]] = Double(fields[2]) ?? 0
            default:
                continue
            }
            services[name] = service
        }
        return SystemdObservation(services: services)
    }
}
