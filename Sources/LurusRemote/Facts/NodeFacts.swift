/// What a node is, read in one round trip by `FactsProbe`. Later stages plan from these.
public struct NodeFacts: Sendable, Hashable, Codable {
    public struct Disk: Sendable, Hashable, Codable {
        public var mount: String
        public var filesystem: String
        public var sizeKiB: Int64
        public var usedKiB: Int64
        public var availableKiB: Int64
    }

    public struct Address: Sendable, Hashable, Codable {
        public var interface: String
        public var family: String
        /// `10.77.0.11/24`
        public var address: String
    }

    public var hostname = ""
    public var machineID = ""
    /// `/etc/os-release` ID and VERSION_ID, e.g. `debian` and `12`.
    public var osID = ""
    public var osVersion = ""
    public var osName = ""
    public var architecture = ""
    public var kernel = ""
    public var cpus = 0
    public var memoryKiB: Int64 = 0
    public var memoryAvailableKiB: Int64 = 0
    public var disks: [Disk] = []
    public var addresses: [Address] = []
    /// The name of PID 1 (`systemd` on every supported node).
    public var initSystem = ""
    /// `systemctl is-system-running`: running, degraded, starting...
    public var systemState = ""
    /// `systemd-detect-virt --container`: `none` on a machine or VM, else the container kind (`systemd-nspawn`).
    public var container = "none"
    public var uptimeSeconds: Int64 = 0

    public init() {}

    public var isContainer: Bool { self.container != "none" && !self.container.isEmpty }

    /// The disk holding `/`.
    public var rootDisk: Disk? { self.disks.first { $0.mount == "/" } }
}
