/// Errors in a client's request body or an unsupported conversion.
public enum WireError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The body is not JSON; the detail names the problem and its byte offset.
    case malformedJSON(String)
    /// The body is JSON but not an object.
    case notAnObject
    /// The body has no non-empty `"model"` string (Gemini: the path names no model).
    case missingModel
    /// The field at a key path (such as `messages[2].content`) is wrong in the way described.
    case invalidField(String, String)
    /// The gateway cannot translate between these two protocols.
    case unsupportedPair(client: APIProtocol, provider: APIProtocol)
    /// Content that has no counterpart in the other protocol; the detail says which.
    case unsupportedContent(String)

    /// A sentence for the client, such as `request body must be a JSON object`.
    public var description: String {
        switch self {
        case .malformedJSON(let detail):
            "request body is not valid JSON: \(detail)"
        case .notAnObject:
            "request body must be a JSON object"
        case .missingModel:
            "request body has no \"model\" string"
        case .invalidField(let path, let problem):
            "field \"\(path)\" \(problem)"
        case .unsupportedPair(let client, let provider):
            "cannot serve \(client.rawValue) requests from \(provider.rawValue) providers: "
                + "only openai ⇄ anthropic are translated"
        case .unsupportedContent(let detail):
            detail
        }
    }
}
