import Foundation
import Hummingbird

/// A fake LLM upstream speaking Anthropic messages, OpenAI chat, OpenAI Responses and Gemini, with
/// scripted failures, plus fake provider (`/_provider/v1/catalog`) and billing
/// (`POST /_billing/v1/reservations`, and `/_billing/v1/leases` answering `per_request`) services. It stands for third parties in tests and benchmarks.
///
/// A provider named P lives under `/p/P`: base URLs `http://HOST:PORT/p/P` (anthropic, gemini) and
/// `http://HOST:PORT/p/P/v1` (openai, openai-responses).
public enum FakeUpstream {
    /// The router with every route.
    public static func buildRouter(state: FakeUpstreamState) -> Router<BasicRequestContext> {
        let router = Router()
        router.post("p/:provider/v1/messages") { request, context in
            try await Self.answer(.anthropic, request: request, context: context, state: state)
        }
        router.post("p/:provider/v1/chat/completions") { request, context in
            try await Self.answer(.openai, request: request, context: context, state: state)
        }
        router.post("p/:provider/v1/responses") { request, context in
            try await Self.answer(.responses, request: request, context: context, state: state)
        }
        router.post("p/:provider/v1beta/models/:action") { request, context in
            try await Self.answer(.gemini, request: request, context: context, state: state)
        }
        Self.addControlRoutes(to: router, state: state)
        return router
    }

    /// Serves until cancelled or signalled.
    public static func run(host: String, port: Int, state: FakeUpstreamState) async throws {
        let app = Application(
            router: Self.buildRouter(state: state),
            configuration: .init(address: .hostname(host, port: port), serverName: "fake-upstream")
        )
        try await app.runService()
    }

    // MARK: Answers

    struct Ask {
        var wire: FakeReplies.Wire
        var provider: String
        var model: String
        var stream: Bool
        var includeUsage: Bool
    }

    static func answer(
        _ wire: FakeReplies.Wire,
        request: Request,
        context: BasicRequestContext,
        state: FakeUpstreamState
    ) async throws -> Response {
        let provider = context.parameters.get("provider") ?? "unknown"
        let body = try await request.body.collect(upTo: 16 << 20)
        let text = String(buffer: body)
        let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
        var ask = Ask(
            wire: wire,
            provider: provider,
            model: object["model"] as? String ?? "",
            stream: false,
            includeUsage: false
        )
        if wire == .gemini {
            let action = context.parameters.get("action") ?? ""
            let parts = action.split(separator: ":", maxSplits: 1)
            ask.model = parts.first.map(String.init) ?? ""
            ask.stream = parts.count == 2 && parts[1] == "streamGenerateContent"
        } else {
            ask.stream = object["stream"] as? Bool ?? false
            ask.includeUsage = (object["stream_options"] as? [String: Any])?["include_usage"] as? Bool ?? false
        }
        let step = state.nextStep(for: provider)
        var headers: [String: String] = [:]
        // A repeated header shows as its values joined, as HTTP combines them, so tests see it.
        for field in request.headers {
            headers[field.name.canonicalName] =
                headers[field.name.canonicalName].map { "\($0), \(field.value)" } ?? field.value
        }
        let index = state.record(
            FakeRequestRecord(
                provider: provider,
                path: request.uri.description,
                headers: headers,
                body: text,
                step: step.kind,
                outcome: "pending"
            )
        )

        switch step.kind {
        case .status:
            let status = step.status ?? 500
            state.finish(index, outcome: "error")
            return Self.errorResponse(wire, status: status, retryAfter: step.retryAfter, overloaded: false)
        case .overloadBefore where !ask.stream:
            state.finish(index, outcome: "error")
            return Self.errorResponse(wire, status: wire == .anthropic ? 529 : 503, retryAfter: nil, overloaded: true)
        case .stall where !ask.stream:
            try await Task.sleep(for: .seconds(step.seconds ?? 30))
        default:
            break
        }
        let pieces = FakeReplies.pieces(provider: provider, count: step.chunks ?? 4)
        let asked = ask
        if !ask.stream {
            state.finish(index, outcome: "complete")
            let reply = FakeReplyCache.shared.reply([wire.rawValue, ask.model, provider, "\(pieces.count)"]) {
                FakeReplies.complete(wire, model: ask.model, text: pieces.joined(), output: pieces.count)
            }
            return Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: reply))
            )
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: ResponseBody { writer in
                let outcome = await Self.stream(asked, step: step, pieces: pieces, writer: &writer)
                state.finish(index, outcome: outcome)
                if outcome == "dropped" { throw FakeDrop() }
                if outcome != "client_closed" { try await writer.finish(nil) }
            }
        )
    }

    struct FakeDrop: Error {}

    /// Writes the stream; returns how it ended.
    static func stream(
        _ ask: Ask,
        step: FakeStep,
        pieces: [String],
        writer: inout any ResponseBodyWriter
    ) async -> String {
        do {
            if step.kind == .stall {
                try await Task.sleep(for: .seconds(step.seconds ?? 30))
            }
            let cache = FakeReplyCache.shared
            let shape = [ask.wire.rawValue, ask.model]
            for event in cache.reply(shape + ["preamble"], make: { FakeReplies.preamble(ask.wire, model: ask.model) }) {
                try await writer.write(ByteBuffer(string: event))
            }
            if step.kind == .overloadBefore {
                try await writer.write(ByteBuffer(string: FakeReplies.overloadEvent(ask.wire)))
                return "error"
            }
            for (index, piece) in pieces.enumerated() {
                if let after = step.after, index == after {
                    if step.kind == .overloadAfter {
                        try await writer.write(ByteBuffer(string: FakeReplies.overloadEvent(ask.wire)))
                        return "error"
                    }
                    if step.kind == .disconnectAfter { return "dropped" }
                }
                if index > 0, let delay = step.delayMs {
                    try await Task.sleep(for: .milliseconds(delay))
                }
                let event = cache.reply(shape + ["content", piece, "\(index)"]) {
                    FakeReplies.contentEvent(ask.wire, model: ask.model, piece: piece, index: index)
                }
                try await writer.write(ByteBuffer(string: event))
            }
            let ending = cache.reply(shape + ["ending", pieces.joined(), "\(pieces.count)", "\(ask.includeUsage)"]) {
                FakeReplies.ending(
                    ask.wire,
                    model: ask.model,
                    text: pieces.joined(),
                    output: pieces.count,
                    includeUsage: ask.includeUsage
                )
            }
            try await writer.write(ByteBuffer(string: ending.joined()))
            return "complete"
        } catch {
            return "client_closed"
        }
    }

    static func errorResponse(_ wire: FakeReplies.Wire, status: Int, retryAfter: Int?, overloaded: Bool) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(
            status: .init(code: status),
            headers: headers,
            body: ResponseBody(
                byteBuffer: ByteBuffer(string: FakeReplies.errorBody(wire, status: status, overloaded: overloaded))
            )
        )
    }
}
