/// What one check found on one node: the verdict, what was measured against what, and what to do.
public struct CheckResult: Sendable, Hashable, Codable {
    public var node: String
    /// `disk`, `postgres.connections`, `service.gateway`.
    public var check: String
    public var status: HealthStatus
    /// What was found, in words: "/ 42% used (18 GB free)", "accepting connections".
    public var summary: String
    /// The measured value, for perfdata and the textfile, when the check measures one.
    public var measure: Measure?
    /// What would fix it, when the status is not ok.
    public var fix: String?

    public struct Measure: Sendable, Hashable, Codable {
        /// The perfdata label: `disk_root`, `connections`.
        public var label: String
        public var value: Double
        /// A Nagios unit: `%`, `s`, `B`, `c`, or empty.
        public var unit: String
        public var warning: Double?
        public var critical: Double?
        public var minimum: Double?
        public var maximum: Double?

        public init(
            _ label: String,
            _ value: Double,
            unit: String = "",
            warning: Double? = nil,
            critical: Double? = nil,
            minimum: Double? = nil,
            maximum: Double? = nil
        ) {
            self.label = label
            self.value = value
            self.unit = unit
            self.warning = warning
            self.critical = critical
            self.minimum = minimum
            self.maximum = maximum
        }
    }

    public init(
        node: String,
        check: String,
        status: HealthStatus,
        summary: String,
        measure: Measure? = nil,
        fix: String? = nil
    ) {
        self.node = node
        self.check = check
        self.status = status
        self.summary = summary
        self.measure = measure
        self.fix = status == .ok ? nil : fix
    }
}
