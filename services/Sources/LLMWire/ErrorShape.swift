/// Renders an ``ErrorKind`` as each protocol's HTTP status, error body and stream error event.
public enum ErrorShape {
    /// The HTTP status for a kind; `overloaded` is 529 for Anthropic and 503 elsewhere.
    public static func status(for kind: ErrorKind, protocol wire: APIProtocol) -> Int {
        switch kind {
        case .invalidRequest: 400
        case .authentication: 401
        case .permission: 403
        case .insufficientBalance: 402
        case .notFound: 404
        case .requestTooLarge: 413
        case .rateLimited: 429
        case .overloaded: wire == .anthropic ? 529 : 503
        case .upstream: 502
        case .unavailable: 503
        case .timeout: 504
        case .internalError: 500
        }
    }

    /// The error body in the protocol's shape.
    ///
    /// Anthropic `{"type":"error","error":{"type":T,"message":M}}`; OpenAI and Responses
    /// `{"error":{"message":M,"type":T,"param":null,"code":C}}`; Gemini
    /// `{"error":{"code":STATUS,"message":M,"status":S}}`.
    public static func body(
        for kind: ErrorKind,
        message: String,
        protocol wire: APIProtocol
    ) -> [UInt8] {
        self.json(for: kind, message: message, protocol: wire).serialized()
    }

    /// The error body as a JSON value.
    public static func json(
        for kind: ErrorKind,
        message: String,
        protocol wire: APIProtocol
    ) -> JSONValue {
        switch wire {
        case .anthropic:
            return [
                "type": "error",
                "error": ["type": .string(Self.anthropicType(kind)), "message": .string(message)],
            ]
        case .openai, .openaiResponses:
            let (type, code) = Self.openAITypeAndCode(kind)
            return [
                "error": [
                    "message": .string(message),
                    "type": .string(type),
                    "param": .null,
                    "code": code.map(JSONValue.string) ?? .null,
                ]
            ]
        case .gemini:
            return [
                "error": [
                    "code": .integer(Self.status(for: kind, protocol: wire)),
                    "message": .string(message),
                    "status": .string(Self.geminiStatus(kind)),
                ]
            ]
        }
    }

    /// The protocol's mid-stream error event as SSE bytes.
    ///
    /// Anthropic `event: error` with the Anthropic body; OpenAI and Gemini a `data:` event with
    /// their body; Responses `event: error` with
    /// `{"type":"error","code":C,"message":M,"param":null,"sequence_number":0}`.
    public static func streamEvent(
        for kind: ErrorKind,
        message: String,
        protocol wire: APIProtocol
    ) -> [UInt8] {
        switch wire {
        case .anthropic:
            return ServerSentEventEncoder.encode(
                event: "error",
                json: self.json(for: kind, message: message, protocol: wire)
            )
        case .openai, .gemini:
            return ServerSentEventEncoder.encode(
                event: nil,
                json: self.json(for: kind, message: message, protocol: wire)
            )
        case .openaiResponses:
            let (type, code) = Self.openAITypeAndCode(kind)
            let event: JSONValue = [
                "type": "error",
                "code": .string(code ?? type),
                "message": .string(message),
                "param": .null,
                "sequence_number": 0,
            ]
            return ServerSentEventEncoder.encode(event: "error", json: event)
        }
    }

    /// The Anthropic `error.type` for a kind.
    static func anthropicType(_ kind: ErrorKind) -> String {
        switch kind {
        case .invalidRequest: "invalid_request_error"
        case .authentication: "authentication_error"
        case .permission: "permission_error"
        case .insufficientBalance: "billing_error"
        case .notFound: "not_found_error"
        case .requestTooLarge: "request_too_large"
        case .rateLimited: "rate_limit_error"
        case .overloaded: "overloaded_error"
        case .upstream, .unavailable, .internalError: "api_error"
        case .timeout: "timeout_error"
        }
    }

    /// The OpenAI `error.type` and `error.code` for a kind.
    static func openAITypeAndCode(_ kind: ErrorKind) -> (type: String, code: String?) {
        switch kind {
        case .invalidRequest: ("invalid_request_error", nil)
        case .authentication: ("authentication_error", "invalid_api_key")
        case .permission: ("permission_error", nil)
        case .insufficientBalance: ("insufficient_quota", "insufficient_quota")
        case .notFound: ("invalid_request_error", "not_found")
        case .requestTooLarge: ("invalid_request_error", "request_too_large")
        case .rateLimited: ("rate_limit_exceeded", "rate_limit_exceeded")
        case .overloaded: ("server_error", "overloaded")
        case .upstream: ("server_error", "upstream_error")
        case .unavailable: ("server_error", "service_unavailable")
        case .timeout: ("timeout_error", "timeout")
        case .internalError: ("server_error", nil)
        }
    }

    /// The Gemini `error.status` for a kind.
    static func geminiStatus(_ kind: ErrorKind) -> String {
        switch kind {
        case .invalidRequest, .requestTooLarge: "INVALID_ARGUMENT"
        case .authentication: "UNAUTHENTICATED"
        case .permission: "PERMISSION_DENIED"
        case .insufficientBalance: "FAILED_PRECONDITION"
        case .notFound: "NOT_FOUND"
        case .rateLimited: "RESOURCE_EXHAUSTED"
        case .overloaded, .unavailable: "UNAVAILABLE"
        case .upstream, .internalError: "INTERNAL"
        case .timeout: "DEADLINE_EXCEEDED"
        }
    }
}
