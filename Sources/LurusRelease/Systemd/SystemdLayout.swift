/// Where a service's releases live on a node under the systemd runtime, and what its units are called.
///
///     /opt/lurus/SERVICE/releases/ID/        one release: bin/EXE and release.json (what it is)
///     /opt/lurus/SERVICE/deployments/NAME/   a release with a configuration: env (the settings), release
///                                            (a link to releases/ID) and deployed.json (when, by whom)
///     /opt/lurus/SERVICE/slots/blue          a link to the deployment the blue instance runs
///     /opt/lurus/SERVICE/slots/green         the same for green
///     /opt/lurus/SERVICE/current             a link to the slot that serves (slots/blue or slots/green)
///     /etc/lurus/SERVICE/                    settings per slot, and secrets/ (0700, files 0600)
///     lurus-SERVICE@blue.service, @green     the two instances; a local proxy sends traffic to one
///
/// Every link is switched by writing a new link beside it and renaming it over the old one (rename(2)
/// is atomic; `ln -sfn` unlinks first and leaves a moment with no link).
public struct SystemdLayout: Sendable, Hashable {
    public let service: String

    public init(service: String) {
        self.service = service
    }

    /// The two instances a service runs as, so that a new release starts beside the serving one.
    public enum Slot: String, Sendable, Hashable, CaseIterable, Comparable {
        case blue
        case green

        /// The other one.
        public var other: Slot { self == .blue ? .green : .blue }

        public static func < (lhs: Slot, rhs: Slot) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public var root: String { "/opt/lurus/\(self.service)" }
    public var releases: String { "\(self.root)/releases" }
    public func release(_ id: ReleaseID) -> String { "\(self.releases)/\(id)" }
    public var deployments: String { "\(self.root)/deployments" }
    public func deployment(_ name: String) -> String { "\(self.deployments)/\(name)" }
    public func slot(_ slot: Slot) -> String { "\(self.root)/slots/\(slot.rawValue)" }
    public var current: String { "\(self.root)/current" }
    public var configuration: String { "/etc/lurus/\(self.service)" }
    public func environment(of slot: Slot) -> String { "\(self.configuration)/\(slot.rawValue).env" }
    public var unitTemplate: String { "lurus-\(self.service)@.service" }
    public func unit(_ slot: Slot) -> String { "lurus-\(self.service)@\(slot.rawValue).service" }
}
