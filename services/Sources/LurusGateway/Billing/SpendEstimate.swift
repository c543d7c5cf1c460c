import LLMWire

/// The most a request can cost, held on the key's wallet before it is forwarded: the billing service's
/// reservation. Pure: from the request's size, its output limit and the candidates' prices.
///
/// Input tokens are over-counted as one per 3 bytes of the request body (text runs about 4 bytes per
/// token), output tokens are the request's own limit (`max_tokens`, `max_completion_tokens`,
/// `max_output_tokens` or Gemini's `maxOutputTokens`) or `defaultOutputTokens`; the price is the dearest
/// candidate's, since failover may reach any of them.
enum SpendEstimate {
    static func micros(
        bodyBytes: Int,
        request: ClientRequest,
        candidates: [Candidate],
        defaultOutputTokens: Int
    ) -> Int64 {
        let inputTokens = Double(bodyBytes / 3 + 1)
        let outputTokens = Double(Self.outputLimit(request.body) ?? defaultOutputTokens)
        var most = 0.0
        for candidate in candidates {
            let price = candidate.price
            let input = max(price.input ?? 0, price.cacheWrite ?? 0)
            // USD per million tokens × tokens = micro-dollars.
            most = max(most, inputTokens * input + outputTokens * (price.output ?? 0))
        }
        return Int64(most.rounded(.up))
    }

    /// The output-token limit the client asked for, in any of the four formats.
    static func outputLimit(_ body: JSONValue) -> Int? {
        for key in ["max_tokens", "max_completion_tokens", "max_output_tokens"] {
            if let value = body[key]?.intValue, value > 0 { return value }
        }
        if let value = body["generationConfig"]?["maxOutputTokens"]?.intValue, value > 0 { return value }
        return nil
    }
}
