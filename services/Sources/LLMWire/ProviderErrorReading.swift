extension StreamError {
    /// Reads a provider's `error` member (an object, or a bare message string) in `wire`'s shape.
    static func reading(_ error: JSONValue, protocol wire: APIProtocol) -> StreamError {
        if let message = error.stringValue {
            return StreamError(type: "error", message: message, isOverload: false)
        }
        let message = error["message"]?.stringValue ?? ""
        switch wire {
        case .anthropic:
            let type = error["type"]?.stringValue ?? "error"
            return StreamError(type: type, message: message, isOverload: type == "overloaded_error")
        case .openai, .openaiResponses:
            let code = Self.codeText(error["code"])
            let type = error["type"]?.stringValue ?? code ?? "error"
            let isOverload = [type, code ?? ""].contains { text in
                text.contains("overloaded") || text.contains("server_error")
            }
            return StreamError(type: type, message: message, isOverload: isOverload)
        case .gemini:
            let status = error["status"]?.stringValue
            let code = error["code"]?.intValue
            let type = status ?? code.map(String.init) ?? "error"
            let isOverload: Bool
            if let status {
                isOverload = status == "UNAVAILABLE" || status == "RESOURCE_EXHAUSTED"
            } else {
                isOverload = code == 503 || code == 429
            }
            return StreamError(type: type, message: message, isOverload: isOverload)
        }
    }

    /// A `code` member as text: a string as is, a number in decimal.
    private static func codeText(_ code: JSONValue?) -> String? {
        if let text = code?.stringValue { return text }
        return code?.intValue.map(String.init)
    }
}
