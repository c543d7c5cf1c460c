import Foundation
import Hummingbird
import LLMWire
import LurusServiceKit
import NIOCore

/// The gateway's API routes: four LLM formats and the model list.
struct GatewayRoutes: Sendable {
    let keys: ClientKeyStore
    let proxy: Proxy
    let bodyLimit: Int

    func add(to router: Router<BasicRequestContext>) {
        router.post("v1/messages") { request, context in
            await self.handle(request, context: context, protocol: .anthropic)
        }
        router.post("v1/chat/completions") { request, context in
            await self.handle(request, context: context, protocol: .openai)
        }
        router.post("v1/responses") { request, context in
            await self.handle(request, context: context, protocol: .openaiResponses)
        }
        router.post("responses") { request, context in
            await self.handle(request, context: context, protocol: .openaiResponses)
        }
        // Gemini's SDKs use v1beta by default, some (google-genai 3.x) v1: both are served alike.
        for version in ["v1beta", "v1"] {
            router.post("\(version)/models/:action") { request, context in
                await self.handle(request, context: context, protocol: .gemini)
            }
        }
        router.get("v1/models") { request, _ in
            self.models(request)
        }
    }

    /// Authenticates, reads and parses the body, then hands the request to the proxy.
    func handle(_ request: Request, context: BasicRequestContext, protocol wire: APIProtocol) async -> Response {
        var pathModel: String?
        var streamRoute = false
        if wire == .gemini {
            let action = context.parameters.get("action") ?? ""
            let parts = action.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, ["generateContent", "streamGenerateContent"].contains(parts[1]) else {
                return ErrorResponses.response(
                    .notFound,
                    message: "unknown Gemini method \"\(action)\"; use MODEL:generateContent or "
                        + "MODEL:streamGenerateContent",
                    protocol: wire
                )
            }
            pathModel = parts[0].removingPercentEncoding ?? parts[0]
            streamRoute = parts[1] == "streamGenerateContent"
        }
        guard let client = self.keys.identity(for: request.headers, queryKey: request.uri.queryParameters.get("key"))
        else {
            return ErrorResponses.response(
                .authentication,
                message: "missing or unknown API key",
                protocol: wire
            )
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: self.bodyLimit)
        } catch {
            return ErrorResponses.response(
                .requestTooLarge,
                message: "request body is larger than \(self.bodyLimit) bytes",
                protocol: wire
            )
        }
        let parsed: ClientRequest
        do {
            parsed = try ClientRequest.parse(
                body.readableBytesView,
                protocol: wire,
                pathModel: pathModel,
                streamRoute: streamRoute
            )
        } catch {
            return ErrorResponses.response(.invalidRequest, message: error.description, protocol: wire)
        }
        // Always our own id: it is the JetStream message id, and a client-chosen one could make
        // de-duplication drop another request's usage.
        return await self.proxy.serve(
            parsed,
            bodyBytes: body.readableBytes,
            client: client,
            requestID: RequestID.make()
        )
    }

    /// `GET /v1/models`: the catalog's model names in OpenAI's list shape (Anthropic's clients read
    /// `data[].id` too).
    func models(_ request: Request) -> Response {
        guard self.keys.identity(for: request.headers, queryKey: request.uri.queryParameters.get("key")) != nil else {
            return ErrorResponses.response(.authentication, message: "missing or unknown API key", protocol: .openai)
        }
        let names = self.proxy.catalog.current.modelNames
        let data: JSONValue = [
            "object": "list",
            "data": .array(
                names.map { ["id": .string($0), "object": "model", "type": "model", "owned_by": "lurus"] }
            ),
        ]
        return Response(
            status: .ok,
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data.serialized()))
        )
    }
}
