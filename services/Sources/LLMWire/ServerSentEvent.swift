/// One server-sent event, with the exact bytes it arrived as.
public struct ServerSentEvent: Sendable, Equatable {
    /// The `event:` field, or nil when the event named none.
    public var event: String?
    /// The `data:` lines joined by "\n" ("" when there were none).
    public var data: String
    /// The event's bytes as received, including its terminating blank line, for byte-exact relay.
    public var raw: [UInt8]

    /// Creates an event; `raw` defaults to the encoding of `event` and `data`.
    public init(event: String? = nil, data: String, raw: [UInt8]? = nil) {
        self.event = event
        self.data = data
        self.raw = raw ?? ServerSentEventEncoder.encode(event: event, data: data)
    }
}
