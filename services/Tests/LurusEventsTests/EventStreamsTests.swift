import LurusEvents
import Testing

/// The streams consumers read: names, subjects and retention are part of the contract.
@Suite("Event streams")
struct EventStreamsTests {
    @Test("three streams, each storing one of the three usage subjects")
    func streams() {
        #expect(EventStreams.definitions.map(\.name) == ["LLM_EVENTS", "BILLING_EVENTS", "LOG_EVENTS"])
        #expect(EventStreams.definitions.map(\.subjects) == [["llm.>"], ["billing.>"], ["log.write"]])
        #expect(EventStreams.definitions.map(\.maxAge) == [.seconds(7 * 86400), .seconds(30 * 86400), .seconds(86400)])
        #expect(EventStreams.usageSubjects == ["llm.usage", "billing.usage", "log.write"])
        #expect(EventStreams.definitions.allSatisfy { $0.duplicateWindow == .seconds(120) })
    }
}
