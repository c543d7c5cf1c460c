/// Usage and error information from a complete (non-streaming) response body.
public enum ResponseInspection {
    /// The usage a response body reports, or ``TokenUsage/zero`` when it reports none.
    ///
    /// A Gemini body may also be the JSON array of frames that `streamGenerateContent` returns
    /// without `alt=sse`; the last frame with usage wins.
    public static func usage(in body: JSONValue, protocol wire: APIProtocol) -> TokenUsage {
        switch wire {
        case .anthropic:
            guard let usage = body["usage"], usage.objectValue != nil else { return .zero }
            return UsageReading.anthropic(usage).usage
        case .openai:
            guard let usage = body["usage"], usage.objectValue != nil else { return .zero }
            return UsageReading.openAI(usage).usage
        case .openaiResponses:
            let response = body["response"] ?? body
            guard let usage = response["usage"], usage.objectValue != nil else { return .zero }
            return UsageReading.responses(usage).usage
        case .gemini:
            let frames = body.arrayValue ?? [body]
            var usage = TokenUsage.zero
            for frame in frames {
                if let metadata = frame["usageMetadata"], metadata.objectValue != nil {
                    UsageReading.gemini(metadata).apply(to: &usage)
                }
            }
            return usage
        }
    }

    /// The error a body reports (a non-2xx body, or a 200 body that is an error), else nil.
    ///
    /// Reads a top-level `"error"` member in the protocol's shape; a Responses body also counts
    /// when its `status` is `"failed"`.
    public static func error(in body: JSONValue, protocol wire: APIProtocol) -> StreamError? {
        if wire == .gemini, let frames = body.arrayValue {
            return frames.lazy.compactMap { frame in Self.error(in: frame, protocol: wire) }.first
        }
        if let error = body["error"], !error.isNull {
            return StreamError.reading(error, protocol: wire)
        }
        if wire == .openaiResponses, body["status"]?.stringValue == "failed" {
            return StreamError(type: "response.failed", message: "", isOverload: false)
        }
        return nil
    }
}
