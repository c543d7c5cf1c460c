/// Thresholds for `lurusctl health`.
public struct HealthSettings: Sendable, Hashable {
    /// Limit for each single check.
    public var timeout = InventoryDuration(milliseconds: 5_000, text: "5s")
    public var diskWarningPercent = 80
    public var diskCriticalPercent = 90
    /// A newest backup older than this is a warning.
    public var backupMaxAge = InventoryDuration(milliseconds: 26 * 3_600_000, text: "26h")
    /// Where to write the node-exporter textfile metrics, if anywhere.
    public var textfilePath: String?
    /// A dead-man's-switch URL pinged after each run; it holds a token, so it is a secret reference.
    public var pingURL: SecretReference?
    /// The client key `health --canary` sends its request with (a key of its own, with a small budget).
    public var canaryKey: SecretReference?
    /// Runs in a row a check must show a new state before `health --changes` reports it (against flapping).
    public var confirmAfter = 2

    public init() {}

    /// The node exporter's textfile directory on every node: the folder of `textfile_path`, or
    /// `/var/lib/node_exporter/textfile` (Debian's own default, `/var/lib/prometheus/node-exporter`, is not
    /// used: backup and health write beside `textfile_path`, and the node exporter reads there).
    public var textfileDirectory: String {
        let path = self.textfilePath ?? "/var/lib/node_exporter/textfile/lurus.prom"
        return "/" + path.split(separator: "/").dropLast().joined(separator: "/")
    }

    static let keys = [
        "timeout", "disk_warning_percent", "disk_critical_percent", "backup_max_age", "textfile_path", "ping_url",
        "confirm_after", "canary_key",
    ]
}
