/// Streams and bodies shaped like the providers' public API documentation.
enum Samples {
    /// An OpenAI Chat Completions stream with `stream_options.include_usage`.
    static let openAIStream = """
        data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,\
        "model":"gpt-4o-mini","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,\
        "delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,\
        "finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,\
        "model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"Hello"},\
        "logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,\
        "model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":" there"},\
        "logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,\
        "model":"gpt-4o-mini","choices":[{"index":0,"delta":{},"logprobs":null,\
        "finish_reason":"stop"}],"usage":null}

        data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,\
        "model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":1200,\
        "completion_tokens":12,"total_tokens":1212,"prompt_tokens_details":\
        {"cached_tokens":1024,"audio_tokens":0},"completion_tokens_details":\
        {"reasoning_tokens":0,"audio_tokens":0}}}

        data: [DONE]


        """

    /// An OpenAI stream that calls a tool (with include_usage).
    static let openAIToolStream = """
        data: {"id":"chatcmpl-9","object":"chat.completion.chunk","created":1,"model":"gpt-4o",\
        "choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":\
        [{"index":0,"id":"call_abc","type":"function","function":{"name":"get_weather",\
        "arguments":""}}]},"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-9","object":"chat.completion.chunk","created":1,"model":"gpt-4o",\
        "choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":\
        {"arguments":"{\\"location\\":"}}]},"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-9","object":"chat.completion.chunk","created":1,"model":"gpt-4o",\
        "choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":\
        {"arguments":"\\"Paris\\"}"}}]},"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-9","object":"chat.completion.chunk","created":1,"model":"gpt-4o",\
        "choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}],"usage":null}

        data: {"id":"chatcmpl-9","object":"chat.completion.chunk","created":1,"model":"gpt-4o",\
        "choices":[],"usage":{"prompt_tokens":80,"completion_tokens":17,"total_tokens":97}}

        data: [DONE]


        """

    /// An Anthropic Messages stream answering with text.
    static let anthropicStream = """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY",\
        "type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5",\
        "stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,\
        "cache_creation_input_tokens":100,"cache_read_input_tokens":2000,"output_tokens":1}}}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

        event: ping
        data: {"type": "ping"}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"!"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},\
        "usage":{"output_tokens":15}}

        event: message_stop
        data: {"type":"message_stop"}


        """

    /// An Anthropic stream with text and then a tool call.
    static let anthropicToolStream = """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_014p7gG3wDgGV9EUtLvnow3U",\
        "type":"message","role":"assistant","model":"claude-sonnet-4-5","stop_sequence":null,\
        "usage":{"input_tokens":472,"output_tokens":2},"content":[],"stop_reason":null}}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta",\
        "text":"Let me check."}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: content_block_start
        data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use",\
        "id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta",\
        "partial_json":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta",\
        "partial_json":"{\\"location\\": \\"San Fra"}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta",\
        "partial_json":"ncisco, CA\\"}"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":1}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},\
        "usage":{"output_tokens":89}}

        event: message_stop
        data: {"type":"message_stop"}


        """

    /// An Anthropic stream that fails mid-way because the provider is overloaded.
    static let anthropicOverloadedEvent = """
        event: error
        data: {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}


        """

    /// An OpenAI Responses stream.
    static let responsesStream = """
        event: response.created
        data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_67c9",\
        "object":"response","created_at":1741290958,"status":"in_progress","error":null,\
        "model":"gpt-4.1-2025-04-14","output":[],"usage":null}}

        event: response.in_progress
        data: {"type":"response.in_progress","sequence_number":1,"response":{"id":"resp_67c9",\
        "object":"response","status":"in_progress","output":[],"usage":null}}

        event: response.output_item.added
        data: {"type":"response.output_item.added","sequence_number":2,"output_index":0,\
        "item":{"id":"msg_67c9","type":"message","status":"in_progress","role":"assistant",\
        "content":[]}}

        event: response.content_part.added
        data: {"type":"response.content_part.added","sequence_number":3,"item_id":"msg_67c9",\
        "output_index":0,"content_index":0,"part":{"type":"output_text","text":"",\
        "annotations":[]}}

        event: response.output_text.delta
        data: {"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_67c9",\
        "output_index":0,"content_index":0,"delta":"Hi"}

        event: response.output_text.done
        data: {"type":"response.output_text.done","sequence_number":5,"item_id":"msg_67c9",\
        "output_index":0,"content_index":0,"text":"Hi"}

        event: response.completed
        data: {"type":"response.completed","sequence_number":6,"response":{"id":"resp_67c9",\
        "object":"response","created_at":1741290958,"status":"completed","error":null,\
        "model":"gpt-4.1-2025-04-14","output":[{"id":"msg_67c9","type":"message",\
        "status":"completed","role":"assistant","content":[{"type":"output_text",\
        "text":"Hi","annotations":[]}]}],"usage":{"input_tokens":37,"input_tokens_details":\
        {"cached_tokens":5},"output_tokens":11,"output_tokens_details":{"reasoning_tokens":0},\
        "total_tokens":48}}}


        """

    /// A Gemini `streamGenerateContent?alt=sse` stream; usage metadata is cumulative.
    static let geminiStream = """
        data: {"candidates": [{"content": {"parts": [{"text": "The"}],"role": "model"},\
        "index": 0}],"usageMetadata": {"promptTokenCount": 100,"candidatesTokenCount": 1,\
        "totalTokenCount": 101},"modelVersion": "gemini-2.5-flash","responseId": "abc"}

        data: {"candidates": [{"content": {"parts": [{"text": " quick brown fox"}],\
        "role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 100,\
        "cachedContentTokenCount": 60,"candidatesTokenCount": 5,"thoughtsTokenCount": 20,\
        "totalTokenCount": 125},"modelVersion": "gemini-2.5-flash","responseId": "abc"}

        data: {"candidates": [{"content": {"parts": [{"text": ""}],"role": "model"},\
        "finishReason": "STOP","index": 0}],"usageMetadata": {"promptTokenCount": 100,\
        "cachedContentTokenCount": 60,"candidatesTokenCount": 9,"thoughtsTokenCount": 20,\
        "totalTokenCount": 129},"modelVersion": "gemini-2.5-flash","responseId": "abc"}


        """

    /// An OpenAI `chat.completion` body.
    static let openAICompletion = """
        {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion",
         "created":1741570283,"model":"gpt-4o-2024-08-06","choices":[{"index":0,
         "message":{"role":"assistant","content":"The image shows a wooden boardwalk.",
         "refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],
         "usage":{"prompt_tokens":1117,"completion_tokens":46,"total_tokens":1163,
         "prompt_tokens_details":{"cached_tokens":1024,"audio_tokens":0},
         "completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,
         "accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},
         "service_tier":"default","system_fingerprint":"fp_fc9f1d7035"}
        """

    /// An OpenAI `chat.completion` body that calls a tool.
    static let openAIToolCompletion = """
        {"id":"chatcmpl-abc123","object":"chat.completion","created":1699896916,
         "model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant",
         "content":null,"tool_calls":[{"id":"call_abc123","type":"function","function":
         {"name":"get_current_weather","arguments":"{\\n\\"location\\": \\"Boston, MA\\"\\n}"}}]},
         "logprobs":null,"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":82,
         "completion_tokens":17,"total_tokens":99}}
        """

    /// An Anthropic message body.
    static let anthropicMessage = """
        {"id":"msg_013Zva2CMHLNnXjNJJKqJ2EF","type":"message","role":"assistant",
         "model":"claude-sonnet-4-5","content":[{"type":"text","text":"Hi! My name is Claude."}],
         "stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":2095,
         "output_tokens":503,"cache_creation_input_tokens":2051,"cache_read_input_tokens":100}}
        """

    /// An Anthropic message body that calls a tool.
    static let anthropicToolMessage = """
        {"id":"msg_01Aq9w938a90dw8q","type":"message","role":"assistant",
         "model":"claude-sonnet-4-5","content":[{"type":"text","text":"I'll check the weather."},
         {"type":"tool_use","id":"toolu_01A09q90qw90lq917835lq9","name":"get_weather",
         "input":{"location":"San Francisco, CA","unit":"celsius"}}],"stop_reason":"tool_use",
         "stop_sequence":null,"usage":{"input_tokens":400,"output_tokens":60}}
        """

    /// An OpenAI Responses body.
    static let responsesBody = """
        {"id":"resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b","object":"response",
         "created_at":1741476542,"status":"completed","error":null,"incomplete_details":null,
         "model":"gpt-4.1-2025-04-14","output":[{"type":"message","id":"msg_67ccd2bf",
         "status":"completed","role":"assistant","content":[{"type":"output_text",
         "text":"In a peaceful grove...","annotations":[]}]}],"usage":{"input_tokens":36,
         "input_tokens_details":{"cached_tokens":6},"output_tokens":87,
         "output_tokens_details":{"reasoning_tokens":0},"total_tokens":123}}
        """

    /// A Gemini `generateContent` body.
    static let geminiBody = """
        {"candidates":[{"content":{"parts":[{"text":"AI learns patterns from data."}],
         "role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":
         {"promptTokenCount":8,"cachedContentTokenCount":2,"candidatesTokenCount":215,
         "thoughtsTokenCount":40,"totalTokenCount":263},"modelVersion":"gemini-2.5-flash",
         "responseId":"xyz"}
        """
}
