import LurusNATS

/// The JetStream streams of the usage events and the subjects each record is published to.
///
/// The gateway declares the streams at start (idempotently) and publishes every record to all
/// three subjects; consumers (billing, logs) read their own stream.
public enum EventStreams {
    /// The request log: every record, kept a week.
    public static let llm = StreamConfiguration(name: "LLM_EVENTS", subjects: ["llm.>"], maxAge: .seconds(7 * 86400))
    /// The billing ledger's input: every record, kept 30 days.
    public static let billing = StreamConfiguration(
        name: "BILLING_EVENTS",
        subjects: ["billing.>"],
        maxAge: .seconds(30 * 86400)
    )
    /// The log service's writer: every record, kept a day.
    public static let log = StreamConfiguration(name: "LOG_EVENTS", subjects: ["log.write"], maxAge: .seconds(86400))

    /// The three streams, in the order the gateway declares them.
    public static let definitions: [StreamConfiguration] = [Self.llm, Self.billing, Self.log]

    /// The subject of usage records in LLM_EVENTS.
    public static let llmUsageSubject = "llm.usage"
    /// The subject of usage records in BILLING_EVENTS. Consume it exactly: nothing is published
    /// below it, so `billing.usage.*` or `billing.usage.>` match nothing.
    public static let billingUsageSubject = "billing.usage"
    /// The subject of usage records in LOG_EVENTS.
    public static let logWriteSubject = "log.write"

    /// Every record goes to all three: the request log (LLM_EVENTS), the billing ledger
    /// (BILLING_EVENTS) and the log service's writer (LOG_EVENTS).
    public static let usageSubjects = [Self.llmUsageSubject, Self.billingUsageSubject, Self.logWriteSubject]
}
