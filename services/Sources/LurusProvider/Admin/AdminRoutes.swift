import Hummingbird
import LLMWire
import Logging
import LurusAdminAuth

/// The admin API under `/api/v1` (authentication required): providers and models (list, get,
/// create, replace, patch, delete), each provider's health, and the audit trail.
struct AdminRoutes: Sendable {
    let store: ProviderStore
    let cache: CatalogCache
    let board: ProviderHealthBoard
    let metrics: ProviderMetrics
    let authenticator: AdminAuthenticator

    /// The most a request body may hold.
    static let bodyLimit = 1 << 20

    func add(to router: Router<AdminContext>) {
        let api = router.group("api/v1").add(middleware: AdminAuthMiddleware<AdminContext>(self.authenticator))
        api.get("providers") { _, context in
            try await self.answer(context) {
                var entries: [JSONValue] = []
                for provider in try await self.store.providers() {
                    entries.append(await self.providerJSON(provider))
                }
                return (.ok, .object(["providers": .array(entries)]))
            }
        }
        api.get("providers/{name}") { _, context in
            try await self.answer(context) {
                let name = try Self.parameter("name", context)
                guard let provider = try await self.store.provider(named: name) else {
                    throw APIError.notFound("no provider named \"\(name)\"")
                }
                return (.ok, await self.providerJSON(provider))
            }
        }
        api.get("providers/{name}/health") { _, context in
            try await self.answer(context) {
                let name = try Self.parameter("name", context)
                guard try await self.store.provider(named: name) != nil else {
                    throw APIError.notFound("no provider named \"\(name)\"")
                }
                let summary = await self.board.summary(of: name).json
                return (.ok, summary.merged(with: .object(["provider": .string(name)])))
            }
        }
        api.post("providers") { request, context in
            try await self.answer(context) {
                let input = try ProviderInput(json: try await Self.body(request))
                let (record, version) = try await self.store.createProvider(input, who: Self.who(context))
                await self.changed(version)
                return (.created, await self.providerJSON(record))
            }
        }
        for method in [HTTPRequest.Method.put, .patch] {
            api.on("providers/{name}", method: method) { request, context in
                try await self.answer(context) {
                    let name = try Self.parameter("name", context)
                    let body = try await Self.body(request)
                    if method == .put { _ = try ProviderInput(json: body) }
                    let (record, version) = try await self.store.updateProvider(named: name, who: Self.who(context)) {
                        current in
                        method == .put ? try ProviderInput(json: body) : try ProviderInput.patched(current, with: body)
                    }
                    await self.changed(version)
                    return (.ok, await self.providerJSON(record))
                }
            }
        }
        api.delete("providers/{name}") { _, context in
            try await self.answer(context) {
                let name = try Self.parameter("name", context)
                let version = try await self.store.deleteProvider(named: name, who: Self.who(context))
                await self.changed(version)
                return (.ok, .object(["deleted": .string(name), "version": .integer(version)]))
            }
        }
        api.get("models") { request, context in
            try await self.answer(context) {
                let models = try await self.store.models(provider: request.uri.queryParameters.get("provider"))
                return (.ok, .object(["models": .array(models.map(\.json))]))
            }
        }
        api.get("models/{id}") { _, context in
            try await self.answer(context) {
                let id = try Self.modelID(context)
                guard let model = try await self.store.model(id: id) else {
                    throw APIError.notFound("no model with id \(id)")
                }
                return (.ok, model.json)
            }
        }
        api.post("models") { request, context in
            try await self.answer(context) {
                let input = try ModelInput(json: try await Self.body(request))
                let (record, version) = try await self.store.createModel(input, who: Self.who(context))
                await self.changed(version)
                return (.created, record.json)
            }
        }
        for method in [HTTPRequest.Method.put, .patch] {
            api.on("models/{id}", method: method) { request, context in
                try await self.answer(context) {
                    let id = try Self.modelID(context)
                    let body = try await Self.body(request)
                    if method == .put { _ = try ModelInput(json: body) }
                    let (record, version) = try await self.store.updateModel(id: id, who: Self.who(context)) {
                        current in
                        method == .put ? try ModelInput(json: body) : try ModelInput.patched(current, with: body)
                    }
                    await self.changed(version)
                    return (.ok, record.json)
                }
            }
        }
        api.delete("models/{id}") { _, context in
            try await self.answer(context) {
                let id = try Self.modelID(context)
                let version = try await self.store.deleteModel(id: id, who: Self.who(context))
                await self.changed(version)
                return (.ok, .object(["deleted": .integer(id), "version": .integer(version)]))
            }
        }
        api.get("changes") { request, context in
            try await self.answer(context) {
                let limitText = request.uri.queryParameters.get("limit")
                let limit = limitText.map { Int($0) ?? -1 } ?? 100
                guard (1...1000).contains(limit) else {
                    throw APIError.invalid("limit", "must be an integer from 1 to 1000")
                }
                let changes = try await self.store.changes(limit: limit)
                return (.ok, .object(["changes": .array(changes.map(\.json))]))
            }
        }
    }

    /// Runs a handler: an `APIError` is its own answer; anything else is logged and answered 500
    /// without details.
    func answer(
        _ context: AdminContext,
        _ body: () async throws -> (HTTPResponse.Status, JSONValue)
    ) async throws -> Response {
        do {
            let (status, value) = try await body()
            return JSONResponse.make(status, value)
        } catch let error as APIError {
            return error.response()
        } catch {
            context.logger.error("admin request failed", metadata: ["error": "\(String(reflecting: error))"])
            return APIError(.internalServerError, "the request failed inside the service; see its log").response()
        }
    }

    func changed(_ version: Int) async {
        self.metrics.changes.increment()
        await self.cache.invalidate(version: version)
    }

    func providerJSON(_ provider: ProviderRecord) async -> JSONValue {
        let health = await self.board.summary(of: provider.input.name).json
        return provider.json.merged(with: .object(["health": health]))
    }

    static func who(_ context: AdminContext) -> String { context.admin?.name ?? "unknown" }

    static func parameter(_ name: String, _ context: AdminContext) throws(APIError) -> String {
        guard let value = context.parameters.get(name) else { throw APIError.notFound("no \(name) in the path") }
        return value
    }

    static func modelID(_ context: AdminContext) throws(APIError) -> Int {
        let text = try Self.parameter("id", context)
        guard let id = Int(text), id > 0 else { throw APIError.notFound("no model with id \(text)") }
        return id
    }

    static func body(_ request: Request) async throws -> JSONValue {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: Self.bodyLimit)
        } catch {
            throw APIError(.contentTooLarge, "the body is larger than \(Self.bodyLimit) bytes")
        }
        do {
            return try JSONValue.parse(buffer.readableBytesView)
        } catch {
            throw APIError(.badRequest, field: "(body)", "is not JSON: \(error)")
        }
    }
}
