/// Error kinds the gateway answers with, rendered in each protocol's own shape by ``ErrorShape``.
public enum ErrorKind: Sendable, Equatable, CaseIterable {
    /// The request is malformed or cannot be served (400).
    case invalidRequest
    /// The API key is missing or wrong (401).
    case authentication
    /// The key may not use this model or route (403).
    case permission
    /// The account has no balance left (402).
    case insufficientBalance
    /// No such model or route (404).
    case notFound
    /// The request body is too large (413).
    case requestTooLarge
    /// Too many requests (429).
    case rateLimited
    /// Every provider is overloaded (529 for Anthropic, 503 elsewhere).
    case overloaded
    /// The provider failed or answered something unusable (502).
    case upstream
    /// No provider is available (503).
    case unavailable
    /// The provider took too long (504).
    case timeout
    /// The gateway itself failed (500).
    case internalError

    /// The kind that best matches an error a provider of `wire` reported.
    public init(classifying error: StreamError, from wire: APIProtocol) {
        if error.isOverload && !Self.isRateLimit(error.type) {
            self = .overloaded
            return
        }
        self = Self.kinds[error.type] ?? (Self.isRateLimit(error.type) ? .rateLimited : .upstream)
    }

    private static func isRateLimit(_ type: String) -> Bool {
        type == "RESOURCE_EXHAUSTED" || type.contains("rate_limit")
    }

    /// Provider error types (all protocols) and the kinds they map to.
    private static let kinds: [String: ErrorKind] = [
        "invalid_request_error": .invalidRequest,
        "INVALID_ARGUMENT": .invalidRequest,
        "authentication_error": .authentication,
        "invalid_api_key": .authentication,
        "UNAUTHENTICATED": .authentication,
        "permission_error": .permission,
        "PERMISSION_DENIED": .permission,
        "billing_error": .insufficientBalance,
        "insufficient_quota": .insufficientBalance,
        "FAILED_PRECONDITION": .insufficientBalance,
        "not_found_error": .notFound,
        "NOT_FOUND": .notFound,
        "request_too_large": .requestTooLarge,
        "timeout_error": .timeout,
        "DEADLINE_EXCEEDED": .timeout,
        "UNAVAILABLE": .unavailable,
    ]
}
