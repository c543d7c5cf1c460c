import Foundation

/// The four client/provider API formats.
public enum APIProtocol: String, Sendable, Codable, CaseIterable, Hashable {
    /// Anthropic Messages (`POST /v1/messages`).
    case anthropic
    /// OpenAI Chat Completions (`POST /v1/chat/completions`).
    case openai
    /// OpenAI Responses (`POST /v1/responses`).
    case openaiResponses = "openai-responses"
    /// Google Gemini (`POST /v1beta/models/{model}:generateContent`).
    case gemini

    /// The path appended to a provider's base URL for a request to `model`.
    ///
    /// OpenAI base URLs include the version (`https://api.openai.com/v1`), so its paths do not;
    /// Anthropic and Gemini base URLs are the bare host. Only Gemini puts the model
    /// (percent-encoded) in the path, and only Gemini streams from a different path.
    public func upstreamPath(model: String, stream: Bool) -> String {
        switch self {
        case .anthropic:
            return "/v1/messages"
        case .openai:
            return "/chat/completions"
        case .openaiResponses:
            return "/responses"
        case .gemini:
            let encoded =
                model.addingPercentEncoding(withAllowedCharacters: Self.modelPathAllowed) ?? model
            let method = stream ? "streamGenerateContent?alt=sse" : "generateContent"
            return "/v1beta/models/\(encoded):\(method)"
        }
    }

    /// The headers that carry a provider API key, in the order to send them.
    ///
    /// Anthropic: `x-api-key` and `anthropic-version: 2023-06-01`; OpenAI (both APIs):
    /// `Authorization: Bearer KEY`; Gemini: `x-goog-api-key`.
    public func authenticationHeaders(apiKey: String) -> [(name: String, value: String)] {
        switch self {
        case .anthropic:
            [(name: "x-api-key", value: apiKey), (name: "anthropic-version", value: "2023-06-01")]
        case .openai, .openaiResponses:
            [(name: "Authorization", value: "Bearer \(apiKey)")]
        case .gemini:
            [(name: "x-goog-api-key", value: apiKey)]
        }
    }

    /// Characters a model name may keep unescaped in a Gemini path segment: RFC 3986 unreserved.
    private static let modelPathAllowed = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
    )
}
