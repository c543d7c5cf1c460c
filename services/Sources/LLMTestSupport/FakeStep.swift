/// What the fake upstream does with the next request for one provider.
///
/// Steps are queued per provider with `POST /_control/script`; when a provider's queue is empty it
/// answers `ok`. JSON: `{"kind":"status","status":429,"retry_after":2}`.
public struct FakeStep: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// A normal answer (streamed when asked), `chunks` pieces of text, `delay_ms` between them.
        case ok
        /// An error status with the protocol's error body (and `Retry-After` when `retry_after` is set).
        case status
        /// Overloaded before any content: HTTP 529 (anthropic) or 503, or, streaming, an error event
        /// right after the stream's preamble.
        case overloadBefore = "overload_before"
        /// Overloaded after `after` content pieces: an error event mid-stream.
        case overloadAfter = "overload_after"
        /// Nothing at all for `seconds` (streaming: after the headers), then a normal answer.
        case stall
        /// The connection drops after `after` content pieces.
        case disconnectAfter = "disconnect_after"
    }

    public var kind: Kind
    public var status: Int?
    public var retryAfter: Int?
    public var after: Int?
    public var seconds: Double?
    public var chunks: Int?
    public var delayMs: Int?

    public init(
        kind: Kind,
        status: Int? = nil,
        retryAfter: Int? = nil,
        after: Int? = nil,
        seconds: Double? = nil,
        chunks: Int? = nil,
        delayMs: Int? = nil
    ) {
        self.kind = kind
        self.status = status
        self.retryAfter = retryAfter
        self.after = after
        self.seconds = seconds
        self.chunks = chunks
        self.delayMs = delayMs
    }

    public static let ok = FakeStep(kind: .ok)

    enum CodingKeys: String, CodingKey {
        case kind, status, after, seconds, chunks
        case retryAfter = "retry_after"
        case delayMs = "delay_ms"
    }
}

/// One request the fake upstream received, as tests read it back from `GET /_control/requests`.
public struct FakeRequestRecord: Codable, Sendable, Equatable {
    public var provider: String
    public var path: String
    /// Lower-cased header names and values as received.
    public var headers: [String: String]
    public var body: String
    public var step: FakeStep.Kind
    /// How the answer ended: "complete", "client_closed" (a write failed: the caller went away),
    /// "dropped" (scripted disconnect) or "error" (scripted error).
    public var outcome: String
}
