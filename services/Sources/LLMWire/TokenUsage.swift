/// Token counts of one request, normalised across the four protocols.
///
/// `inputTokens` excludes cached input: OpenAI `prompt_tokens` minus
/// `prompt_tokens_details.cached_tokens`, Responses `input_tokens` minus
/// `input_tokens_details.cached_tokens`, Gemini `promptTokenCount` minus
/// `cachedContentTokenCount`, Anthropic `input_tokens` as is.
/// `cacheReadTokens` is OpenAI `cached_tokens`, Anthropic `cache_read_input_tokens` or Gemini
/// `cachedContentTokenCount`; `cacheWriteTokens` is Anthropic `cache_creation_input_tokens` (0
/// elsewhere). `outputTokens` is OpenAI `completion_tokens`, Responses `output_tokens`, Anthropic
/// `output_tokens`, or Gemini `candidatesTokenCount` plus `thoughtsTokenCount`.
public struct TokenUsage: Sendable, Equatable, Codable {
    /// No tokens at all.
    public static let zero = TokenUsage()

    /// Input tokens that were neither read from nor written to a cache.
    public var inputTokens: Int
    /// Generated tokens, reasoning included.
    public var outputTokens: Int
    /// Input tokens read from the provider's prompt cache.
    public var cacheReadTokens: Int
    /// Input tokens written to the provider's prompt cache (Anthropic only).
    public var cacheWriteTokens: Int

    /// Creates a usage record; every count defaults to 0.
    public init(
        inputTokens: Int = 0,
        outputTokens: Int = 0,
        cacheReadTokens: Int = 0,
        cacheWriteTokens: Int = 0
    ) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cacheReadTokens = cacheReadTokens
        self.cacheWriteTokens = cacheWriteTokens
    }

    /// All input tokens, cached or not: what OpenAI calls `prompt_tokens`.
    public var promptTokens: Int { self.inputTokens + self.cacheReadTokens + self.cacheWriteTokens }

    /// Every token counted: prompt and output.
    public var totalTokens: Int { self.promptTokens + self.outputTokens }
}
