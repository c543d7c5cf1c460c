/// Maps stop reasons between OpenAI and Anthropic.
enum ReasonMapping {
    /// The OpenAI `finish_reason` for an Anthropic `stop_reason`.
    static func openAIFinishReason(_ stopReason: String) -> String {
        switch stopReason {
        case "max_tokens", "model_context_window_exceeded": "length"
        case "tool_use": "tool_calls"
        case "refusal": "content_filter"
        default: "stop"
        }
    }

    /// The Anthropic `stop_reason` for an OpenAI `finish_reason`.
    static func anthropicStopReason(_ finishReason: String) -> String {
        switch finishReason {
        case "length": "max_tokens"
        case "tool_calls", "function_call": "tool_use"
        case "content_filter": "refusal"
        default: "end_turn"
        }
    }
}
