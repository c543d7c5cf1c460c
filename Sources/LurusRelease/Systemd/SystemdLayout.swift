/// Where a service's releases live on a node under the systemd runtime, and what its units are called.
///
///     /opt/lurus/SERVICE/releases/ID/        one release: its binary (bin/) and what it was deployed with
///     /opt/lurus/SERVICE/slots/blue          a link to the release the blue instance runs
///     /opt/lurus/SERVICE/slots/green         the same for green
///     /opt/lurus/SERVICE/current             a link to the release that serves (the active slot's)
///     /etc/lurus/SERVICE/                    settings per slot and the secret files (0700, files 0600)
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
    public func slot(_ slot: Slot) -> String { "\(self.root)/slots/\(slot.rawValue)" }
    public var current: String { "\(self.root)/current" }
    public var configuration: String { "/etc/lurus/\(self.service)" }
    public func environment(of slot: Slot) -> String { "\(self.configuration)/\(slot.rawValue).env" }
    public var unitTemplate: String { "lurus-\(self.service)@.service" }
    public func unit(_ slot: Slot) -> String { "lurus-\(self.service)@\(slot.rawValue).service" }
}
