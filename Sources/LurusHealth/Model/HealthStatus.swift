/// A check's verdict, as the Nagios plugin API has it: the exit status of `lurusctl health` is the worst.
public enum HealthStatus: Int, Sendable, Hashable, Comparable, CaseIterable, Codable {
    case ok = 0
    case warning = 1
    case critical = 2
    /// The check could not say: its command is missing, or it answered something it cannot read. A hung
    /// check is critical, not unknown (it says why: "no answer within 5s").
    case unknown = 3

    /// `OK`, `WARNING`, `CRITICAL`, `UNKNOWN`.
    public var word: String {
        switch self {
        case .ok: "OK"
        case .warning: "WARNING"
        case .critical: "CRITICAL"
        case .unknown: "UNKNOWN"
        }
    }

    /// Worse first: critical, then unknown, warning, ok (Nagios ranks unknown between the two).
    var severity: Int {
        switch self {
        case .ok: 0
        case .warning: 1
        case .unknown: 2
        case .critical: 3
        }
    }

    public static func < (lhs: HealthStatus, rhs: HealthStatus) -> Bool { lhs.severity < rhs.severity }

    /// The worst of `statuses`; ok when there are none.
    public static func worst(_ statuses: some Sequence<HealthStatus>) -> HealthStatus {
        statuses.max() ?? .ok
    }
}
