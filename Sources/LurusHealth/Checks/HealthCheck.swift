/// One check as data: the shell script a node runs for it (its standard output is the answer; it is cut
/// off after the check's deadline) and the pure function that reads the answer into a verdict.
public struct HealthCheck: Sendable {
    /// `disk`, `postgres.connections`, `service.gateway`: unique on a node.
    public var name: String
    /// Run by `sh -c` on the node, with `$MESH` set to the node's mesh address.
    public var script: String
    public var evaluate: @Sendable (ProbeAnswer, ProbeContext) -> Finding

    public init(
        _ name: String,
        script: String,
        evaluate: @escaping @Sendable (ProbeAnswer, ProbeContext) -> Finding
    ) {
        self.name = name
        self.script = script
        self.evaluate = evaluate
    }
}

/// What a node's probe said for one check.
public struct ProbeAnswer: Sendable, Hashable {
    /// The script's exit status; nil when it was cut off at its deadline.
    public var status: Int32?
    public var output: String

    public init(status: Int32?, output: String) {
        self.status = status
        self.output = output
    }

    public var lines: [Substring] { self.output.split(separator: "\n") }
}

/// What a check is read against besides its answer.
public struct ProbeContext: Sendable, Hashable {
    /// The control machine's clock halfway through the round trip (seconds since 1970).
    public var localTime: Double
    /// Each check's deadline.
    public var timeoutSeconds: Double

    public init(localTime: Double, timeoutSeconds: Double) {
        self.localTime = localTime
        self.timeoutSeconds = timeoutSeconds
    }
}

/// A check's verdict before it is named: status, words, the measure and the fix.
public struct Finding: Sendable, Hashable {
    public var status: HealthStatus
    public var summary: String
    public var measure: CheckResult.Measure?
    public var fix: String?

    public init(_ status: HealthStatus, _ summary: String, measure: CheckResult.Measure? = nil, fix: String? = nil) {
        self.status = status
        self.summary = summary
        self.measure = measure
        self.fix = fix
    }

    /// The answer of a check that was cut off or could not run: critical when it hung (a service that does
    /// not answer is down for its clients), unknown when its tool is missing.
    static func unanswered(_ answer: ProbeAnswer, _ context: ProbeContext, what: String, fix: String) -> Finding? {
        guard let status = answer.status else {
            return Finding(
                .critical,
                "\(what): no answer within \(Self.seconds(context.timeoutSeconds))",
                fix: fix
            )
        }
        if status == 127 {
            return Finding(
                .unknown,
                "\(what): a tool the check needs is missing (\(answer.lines.last ?? ""))",
                fix: "run lurusctl up, which installs it"
            )
        }
        return nil
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value))s" : "\(value)s"
    }
}
