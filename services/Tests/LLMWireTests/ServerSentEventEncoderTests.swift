import LLMWire
import Testing

@Suite("Server-sent event encoder")
struct ServerSentEventEncoderTests {
    @Test("Encodes the event name, then one data line per line, then a blank line")
    func encodesNameAndLines() {
        let encoded = ServerSentEventEncoder.encode(event: "ping", data: "a\nb")
        #expect(text(encoded) == "event: ping\ndata: a\ndata: b\n\n")
    }

    @Test("Encodes data without a name as data lines only")
    func encodesDataOnly() {
        #expect(
            text(ServerSentEventEncoder.encode(event: nil, data: "[DONE]")) == "data: [DONE]\n\n"
        )
        #expect(text(ServerSentEventEncoder.encode(event: nil, data: "")) == "data: \n\n")
    }

    @Test("A line break in the event name cannot end the field")
    func sanitisesEventName() {
        let encoded = ServerSentEventEncoder.encode(event: "a\nb", data: "x")
        #expect(text(encoded) == "event: a b\ndata: x\n\n")
    }

    @Test("An event made with the default raw bytes encodes itself")
    func defaultRaw() {
        let event = ServerSentEvent(event: "message_stop", data: "{}")
        #expect(text(event.raw) == "event: message_stop\ndata: {}\n\n")
    }
}
