import Foundation

/// The fake upstream's answers in each protocol, with known token counts.
///
/// Every protocol reports the same normalised usage: 12 uncached input tokens, 3 cached, 2 written
/// to cache (anthropic only) and one output token per text piece. Raw fields differ per protocol as
/// the real APIs do (OpenAI and Gemini count cached tokens inside the prompt total).
enum FakeReplies {
    static let uncachedInput = 12
    static let cachedInput = 3
    static let cacheWrite = 2

    enum Wire: String {
        case anthropic, openai, responses, gemini
    }

    /// The text pieces of a reply from `provider`.
    static func pieces(provider: String, count: Int) -> [String] {
        let base = ["Hello", " from ", provider, "!"]
        if count <= base.count { return Array(base.prefix(max(count, 1))) }
        return base + (0..<(count - base.count)).map { " w\($0)" }
    }

    static func json(_ object: Any) -> String {
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    static func usage(_ wire: Wire, output: Int) -> [String: Any] {
        switch wire {
        case .anthropic:
            return [
                "input_tokens": uncachedInput, "output_tokens": output,
                "cache_read_input_tokens": cachedInput, "cache_creation_input_tokens": cacheWrite,
            ]
        case .openai:
            return [
                "prompt_tokens": uncachedInput + cachedInput, "completion_tokens": output,
                "total_tokens": uncachedInput + cachedInput + output,
                "prompt_tokens_details": ["cached_tokens": cachedInput],
            ]
        case .responses:
            return [
                "input_tokens": uncachedInput + cachedInput, "output_tokens": output,
                "total_tokens": uncachedInput + cachedInput + output,
                "input_tokens_details": ["cached_tokens": cachedInput],
                "output_tokens_details": ["reasoning_tokens": 0],
            ]
        case .gemini:
            return [
                "promptTokenCount": uncachedInput + cachedInput, "candidatesTokenCount": output,
                "cachedContentTokenCount": cachedInput,
                "totalTokenCount": uncachedInput + cachedInput + output,
            ]
        }
    }

    // MARK: Complete answers

    static func complete(_ wire: Wire, model: String, text: String, output: Int) -> String {
        switch wire {
        case .anthropic:
            return json([
                "id": "msg_fake", "type": "message", "role": "assistant", "model": model,
                "content": [["type": "text", "text": text]], "stop_reason": "end_turn",
                "stop_sequence": NSNull(), "usage": usage(.anthropic, output: output),
            ])
        case .openai:
            return json([
                "id": "chatcmpl-fake", "object": "chat.completion", "created": 1_700_000_000,
                "model": model,
                "choices": [
                    [
                        "index": 0, "message": ["role": "assistant", "content": text],
                        "finish_reason": "stop", "logprobs": NSNull(),
                    ]
                ],
                "usage": usage(.openai, output: output),
            ])
        case .responses:
            return json(responseObject(model: model, text: text, output: output, status: "completed"))
        case .gemini:
            return json(geminiFrame(text: text, usage: usage(.gemini, output: output), finish: "STOP"))
        }
    }

    static func responseObject(model: String, text: String?, output: Int, status: String) -> [String: Any] {
        var object: [String: Any] = [
            "id": "resp_fake", "object": "response", "created_at": 1_700_000_000, "model": model,
            "status": status, "output": [] as [Any], "parallel_tool_calls": true, "tool_choice": "auto",
            "tools": [] as [Any],
        ]
        if let text {
            object["output"] = [
                [
                    "type": "message", "id": "msg_fake", "status": "completed", "role": "assistant",
                    "content": [["type": "output_text", "text": text, "annotations": [] as [Any]]],
                ]
            ]
            object["usage"] = usage(.responses, output: output)
        }
        return object
    }

    static func geminiFrame(text: String, usage: [String: Any], finish: String?) -> [String: Any] {
        var candidate: [String: Any] = [
            "content": ["role": "model", "parts": [["text": text]]], "index": 0,
        ]
        if let finish { candidate["finishReason"] = finish }
        return ["candidates": [candidate], "usageMetadata": usage, "modelVersion": "fake"]
    }

    // MARK: Errors

    static func errorBody(_ wire: Wire, status: Int, overloaded: Bool = false) -> String {
        let message = overloaded ? "Overloaded" : "fake upstream error \(status)"
        switch wire {
        case .anthropic:
            let type =
                overloaded
                ? "overloaded_error"
                : status == 429 ? "rate_limit_error" : status >= 500 ? "api_error" : "invalid_request_error"
            return json(["type": "error", "error": ["type": type, "message": message]])
        case .openai, .responses:
            let type = status == 429 ? "rate_limit_exceeded" : status >= 500 ? "server_error" : "invalid_request_error"
            return json(["error": ["message": message, "type": type, "param": NSNull(), "code": NSNull()]])
        case .gemini:
            let state =
                status == 429
                ? "RESOURCE_EXHAUSTED"
                : status == 503 || overloaded
                    ? "UNAVAILABLE"
                    : status >= 500 ? "INTERNAL" : "INVALID_ARGUMENT"
            return json(["error": ["code": status, "message": message, "status": state]])
        }
    }

    /// The protocol's mid-stream error event for an overload.
    static func overloadEvent(_ wire: Wire) -> String {
        switch wire {
        case .anthropic:
            return "event: error\ndata: \(errorBody(.anthropic, status: 529, overloaded: true))\n\n"
        case .openai:
            return
                "data: \(json(["error": ["message": "Overloaded", "type": "server_error", "param": NSNull(), "code": "overloaded"]]))\n\n"
        case .responses:
            return
                "event: error\ndata: \(json(["type": "error", "code": "server_is_overloaded", "message": "Overloaded", "param": NSNull(), "sequence_number": 1]))\n\n"
        case .gemini:
            return "data: \(errorBody(.gemini, status: 503, overloaded: true))\n\n"
        }
    }

    // MARK: Streams

    /// Events before any content.
    static func preamble(_ wire: Wire, model: String) -> [String] {
        switch wire {
        case .anthropic:
            var usage = usage(.anthropic, output: 1)
            usage["output_tokens"] = 1
            return [
                event(
                    "message_start",
                    [
                        "type": "message_start",
                        "message": [
                            "id": "msg_fake", "type": "message", "role": "assistant", "model": model,
                            "content": [] as [Any], "stop_reason": NSNull(), "stop_sequence": NSNull(),
                            "usage": usage,
                        ],
                    ]
                ),
                event(
                    "content_block_start",
                    ["type": "content_block_start", "index": 0, "content_block": ["type": "text", "text": ""]]
                ),
                event("ping", ["type": "ping"]),
            ]
        case .openai:
            return [data(openAIChunk(model: model, delta: ["role": "assistant", "content": ""], finish: nil))]
        case .responses:
            let created = responseObject(model: model, text: nil, output: 0, status: "in_progress")
            return [
                event("response.created", ["type": "response.created", "sequence_number": 0, "response": created]),
                event(
                    "response.in_progress",
                    ["type": "response.in_progress", "sequence_number": 1, "response": created]
                ),
            ]
        case .gemini:
            return []
        }
    }

    /// The event carrying one text piece.
    static func contentEvent(_ wire: Wire, model: String, piece: String, index: Int) -> String {
        switch wire {
        case .anthropic:
            return event(
                "content_block_delta",
                ["type": "content_block_delta", "index": 0, "delta": ["type": "text_delta", "text": piece]]
            )
        case .openai:
            return data(openAIChunk(model: model, delta: ["content": piece], finish: nil))
        case .responses:
            return event(
                "response.output_text.delta",
                [
                    "type": "response.output_text.delta", "item_id": "msg_fake", "output_index": 0,
                    "content_index": 0, "delta": piece, "sequence_number": 2 + index,
                ]
            )
        case .gemini:
            var usage = usage(.gemini, output: index + 1)
            usage["candidatesTokenCount"] = index + 1
            return data(geminiFrame(text: piece, usage: usage, finish: nil))
        }
    }

    /// Events after the content; `includeUsage` is OpenAI's `stream_options.include_usage`.
    static func ending(_ wire: Wire, model: String, text: String, output: Int, includeUsage: Bool) -> [String] {
        switch wire {
        case .anthropic:
            return [
                event("content_block_stop", ["type": "content_block_stop", "index": 0]),
                event(
                    "message_delta",
                    [
                        "type": "message_delta", "delta": ["stop_reason": "end_turn", "stop_sequence": NSNull()],
                        "usage": ["output_tokens": output],
                    ]
                ),
                event("message_stop", ["type": "message_stop"]),
            ]
        case .openai:
            var events = [data(openAIChunk(model: model, delta: [:], finish: "stop"))]
            if includeUsage {
                events.append(
                    data([
                        "id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1_700_000_000,
                        "model": model, "choices": [] as [Any], "usage": usage(.openai, output: output),
                    ])
                )
            }
            events.append("data: [DONE]\n\n")
            return events
        case .responses:
            return [
                event(
                    "response.completed",
                    [
                        "type": "response.completed", "sequence_number": 100,
                        "response": responseObject(model: model, text: text, output: output, status: "completed"),
                    ]
                )
            ]
        case .gemini:
            return [data(geminiFrame(text: "", usage: usage(.gemini, output: output), finish: "STOP"))]
        }
    }

    static func openAIChunk(model: String, delta: [String: Any], finish: String?) -> [String: Any] {
        [
            "id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1_700_000_000, "model": model,
            "choices": [
                [
                    "index": 0, "delta": delta, "finish_reason": finish.map { $0 as Any } ?? NSNull(),
                    "logprobs": NSNull(),
                ]
            ],
        ]
    }

    static func event(_ name: String, _ payload: [String: Any]) -> String {
        "event: \(name)\ndata: \(json(payload))\n\n"
    }

    static func data(_ payload: [String: Any]) -> String {
        "data: \(json(payload))\n\n"
    }
}
