import LLMWire

/// How one attempt at a provider failed before any content reached the client.
enum UpstreamFailure: Sendable, Equatable {
    /// No connection: refused, unresolvable, TLS, or the connect timeout.
    case connect(String)
    /// The provider went quiet for longer than the idle timeout.
    case timeout
    /// A non-2xx answer, its `Retry-After`, and the error it carried.
    case status(Int, retryAfter: Duration?, error: StreamError?)
    /// An error event before the first content.
    case streamError(StreamError)
    /// The stream ended or broke before any content.
    case dropped(String)

    /// A short account for the client's error message and the logs (never a key or URL).
    var summary: String {
        switch self {
        case .connect(let reason): return "cannot connect (\(reason))"
        case .timeout: return "timed out"
        case .status(let code, _, let error):
            return error.map { "HTTP \(code) \($0.type): \($0.message)" } ?? "HTTP \(code)"
        case .streamError(let error): return "stream error \(error.type): \(error.message)"
        case .dropped(let reason): return "stream broke before content (\(reason))"
        }
    }

    /// Low-cardinality reason for metrics.
    var reason: String {
        switch self {
        case .connect: return "connect"
        case .timeout: return "timeout"
        case .status(let code, _, let error):
            if Self.isOverload(code, error) { return "overloaded" }
            if code == 429 { return "rate_limited" }
            if code == 401 || code == 403 { return "credentials" }
            return code >= 500 ? "status_5xx" : "status_4xx"
        case .streamError(let error): return error.isOverload ? "overloaded" : "stream_error"
        case .dropped: return "dropped"
        }
    }
}

extension UpstreamFailure {
    /// An overload answered as a status: Anthropic's 529, or an error whose type names an overload
    /// (a plain 500 `server_error` is not one).
    static func isOverload(_ code: Int, _ error: StreamError?) -> Bool {
        code == 529 || error?.type.lowercased().contains("overload") == true
    }
}

/// What the gateway does about a failed attempt.
enum FailureDecision: Sendable, Equatable {
    /// Try the next candidate, resting this provider for the given time (nil: no rest).
    case failover(rest: Duration?)
    /// The request itself is at fault: answer the client, try nothing else, rest nobody.
    case answerClient
}

/// Failover rules: provider-side trouble (connect, timeout, 5xx, 429, overload, rejected provider
/// credentials) moves on and rests the provider, honouring `Retry-After`; the client's own errors
/// (400, 404, 413, 422 and other 4xx) go back to the client and rest nobody.
enum FailurePolicy {
    static func decide(_ failure: UpstreamFailure, defaultRest: Duration) -> FailureDecision {
        switch failure {
        case .connect, .timeout, .dropped:
            return .failover(rest: defaultRest)
        case .status(let code, let retryAfter, let error):
            if code == 429 || code >= 500 || UpstreamFailure.isOverload(code, error) {
                return .failover(rest: retryAfter ?? defaultRest)
            }
            if code == 401 || code == 403 || code == 408 {
                return .failover(rest: defaultRest)
            }
            return .answerClient
        case .streamError(let error):
            return error.isOverload || error.type.contains("server") || error.type.contains("api_error")
                ? .failover(rest: defaultRest) : .answerClient
        }
    }

    /// Reads `Retry-After` in seconds (HTTP dates are rare from LLM APIs and ignored), capped at 10 min.
    static func retryAfter(_ header: String?) -> Duration? {
        guard let header, let seconds = Double(header.trimmingCharacters(in: .whitespaces)), seconds >= 0 else {
            return nil
        }
        return .milliseconds(Int(min(seconds, 600) * 1000))
    }

    /// The client's answer when every candidate failed: the kind follows the last failure.
    static func finalKind(_ failures: [UpstreamFailure]) -> ErrorKind {
        guard let last = failures.last else { return .unavailable }
        switch last {
        case .timeout: return .timeout
        case .status(429, _, _): return .rateLimited
        case .status(let code, _, let error) where UpstreamFailure.isOverload(code, error): return .overloaded
        case .streamError(let error) where error.isOverload: return .overloaded
        default: return .upstream
        }
    }
}
