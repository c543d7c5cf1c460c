/// Token counts read from one usage object; nil where the object did not say.
struct UsageReading: Sendable, Equatable {
    var inputTokens: Int?
    var outputTokens: Int?
    var cacheReadTokens: Int?
    var cacheWriteTokens: Int?

    /// Overwrites the fields of `usage` that this reading has.
    func apply(to usage: inout TokenUsage) {
        if let inputTokens { usage.inputTokens = inputTokens }
        if let outputTokens { usage.outputTokens = outputTokens }
        if let cacheReadTokens { usage.cacheReadTokens = cacheReadTokens }
        if let cacheWriteTokens { usage.cacheWriteTokens = cacheWriteTokens }
    }

    /// The reading applied to zero.
    var usage: TokenUsage {
        var usage = TokenUsage.zero
        self.apply(to: &usage)
        return usage
    }

    /// An OpenAI chat `usage` object.
    static func openAI(_ usage: JSONValue) -> UsageReading {
        let cached = usage[path: "prompt_tokens_details", "cached_tokens"]?.intValue
        var reading = UsageReading()
        if let prompt = usage["prompt_tokens"]?.intValue {
            reading.inputTokens = max(0, prompt - (cached ?? 0))
            reading.cacheReadTokens = cached ?? 0
        } else {
            reading.cacheReadTokens = cached
        }
        reading.outputTokens = usage["completion_tokens"]?.intValue
        return reading
    }

    /// An OpenAI Responses `usage` object.
    static func responses(_ usage: JSONValue) -> UsageReading {
        let cached = usage[path: "input_tokens_details", "cached_tokens"]?.intValue
        var reading = UsageReading()
        if let input = usage["input_tokens"]?.intValue {
            reading.inputTokens = max(0, input - (cached ?? 0))
            reading.cacheReadTokens = cached ?? 0
        } else {
            reading.cacheReadTokens = cached
        }
        reading.outputTokens = usage["output_tokens"]?.intValue
        return reading
    }

    /// An Anthropic `usage` object; with `onlyNonZeroInput`, zero input and cache counts are
    /// skipped (as in `message_delta`, where they may be 0 while `message_start` had them).
    static func anthropic(_ usage: JSONValue, onlyNonZeroInput: Bool = false) -> UsageReading {
        func input(_ key: String) -> Int? {
            guard let value = usage[key]?.intValue else { return nil }
            return onlyNonZeroInput && value == 0 ? nil : value
        }
        return UsageReading(
            inputTokens: input("input_tokens"),
            outputTokens: usage["output_tokens"]?.intValue,
            cacheReadTokens: input("cache_read_input_tokens"),
            cacheWriteTokens: input("cache_creation_input_tokens")
        )
    }

    /// A Gemini `usageMetadata` object.
    static func gemini(_ metadata: JSONValue) -> UsageReading {
        let cached = metadata["cachedContentTokenCount"]?.intValue
        let candidates = metadata["candidatesTokenCount"]?.intValue
        let thoughts = metadata["thoughtsTokenCount"]?.intValue
        var reading = UsageReading()
        if let prompt = metadata["promptTokenCount"]?.intValue {
            reading.inputTokens = max(0, prompt - (cached ?? 0))
            reading.cacheReadTokens = cached ?? 0
        } else {
            reading.cacheReadTokens = cached
        }
        if candidates != nil || thoughts != nil {
            reading.outputTokens = (candidates ?? 0) + (thoughts ?? 0)
        }
        return reading
    }
}
