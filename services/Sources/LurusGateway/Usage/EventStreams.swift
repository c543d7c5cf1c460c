import LurusNATS

/// The JetStream streams the gateway declares at start (idempotently) and the subjects it publishes
/// each usage record to.
enum EventStreams {
    static let definitions: [StreamConfiguration] = [
        StreamConfiguration(name: "LLM_EVENTS", subjects: ["llm.>"], maxAge: .seconds(7 * 86400)),
        StreamConfiguration(name: "BILLING_EVENTS", subjects: ["billing.>"], maxAge: .seconds(30 * 86400)),
        StreamConfiguration(name: "LOG_EVENTS", subjects: ["log.write"], maxAge: .seconds(86400)),
    ]

    /// Every record goes to all three: the request log (LLM_EVENTS), the billing ledger
    /// (BILLING_EVENTS) and the log service's writer (LOG_EVENTS).
    static let usageSubjects = ["llm.usage", "billing.usage", "log.write"]
}
