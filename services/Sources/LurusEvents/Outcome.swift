/// How a request ended, as the usage record's `outcome` field says it.
///
/// The raw values are the wire strings; consumers may rely on them, so a new case is a contract
/// change that every consumer must learn before a producer sends it.
public enum Outcome: String, Sendable, Hashable, CaseIterable, Codable {
    /// The provider answered and the client got the whole answer.
    case ok
    /// The client's request was wrong (unknown model, bad body, the provider refused it as such).
    case clientError = "client_error"
    /// The balance check refused the request, or could not be made.
    case refused
    /// Every provider failed, or all were resting after errors.
    case upstreamError = "upstream_error"
    /// A stream failed after content began; the client got an error event at its end.
    case streamError = "stream_error"
    /// The client went away before the answer was complete (status 499).
    case clientClosed = "client_closed"

    /// Decodes the wire string; an unknown one is an error naming it and the known ones.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let outcome = Outcome(rawValue: text) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "\(text.debugDescription) is not a known outcome ("
                    + Outcome.allCases.map(\.rawValue).joined(separator: ", ") + ")"
            )
        }
        self = outcome
    }
}
