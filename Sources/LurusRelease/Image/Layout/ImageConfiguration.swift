/// How a container of the image starts: the `config` object of the OCI image configuration.
public struct ImageConfiguration: Sendable, Hashable {
    /// A port the image listens on, `8080/tcp`.
    public struct Port: Sendable, Hashable, Comparable, CustomStringConvertible {
        public enum Transport: String, Sendable, Hashable, Comparable {
            case tcp
            case udp
            public static func < (left: Transport, right: Transport) -> Bool { left.rawValue < right.rawValue }
        }
        public var number: UInt16
        public var transport: Transport

        public init(_ number: UInt16, _ transport: Transport = .tcp) {
            self.number = number
            self.transport = transport
        }

        public var description: String { "\(self.number)/\(self.transport.rawValue)" }

        public static func < (left: Port, right: Port) -> Bool {
            (left.number, left.transport) < (right.number, right.transport)
        }
    }

    public var entrypoint: [String]
    public var command: [String]
    /// Written as `KEY=value` lines, sorted by key.
    public var environment: [String: String]
    public var workingDirectory: String?
    /// `65532`, `65532:65532`, or a name the image's `/etc/passwd` knows.
    public var user: String?
    public var exposedPorts: Set<Port>
    public var labels: [String: String]

    public init(
        entrypoint: [String],
        command: [String] = [],
        environment: [String: String] = [:],
        workingDirectory: String? = nil,
        user: String? = nil,
        exposedPorts: Set<Port> = [],
        labels: [String: String] = [:]
    ) {
        self.entrypoint = entrypoint
        self.command = command
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.user = user
        self.exposedPorts = exposedPorts
        self.labels = labels
    }
}
