import Hummingbird

/// A request context that carries the authenticated admin, for handlers behind ``AdminAuthMiddleware``.
public protocol AdminRequestContext: RequestContext {
    /// Set by the middleware before any handler runs.
    var admin: AdminIdentity? { get set }
}

/// The request context of a service with an admin API.
public struct AdminContext: AdminRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var admin: AdminIdentity?

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.admin = nil
    }
}

/// Refuses a request without a valid admin credential (401/403 with `WWW-Authenticate: Bearer` and a
/// JSON error saying what is wrong); otherwise records who it is in the context and goes on.
public struct AdminAuthMiddleware<Context: AdminRequestContext>: RouterMiddleware {
    public let authenticator: AdminAuthenticator

    /// Creates the middleware.
    public init(_ authenticator: AdminAuthenticator) {
        self.authenticator = authenticator
    }

    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        switch await self.authenticator.authenticate(authorization: request.headers[.authorization]) {
        case .success(let identity):
            var context = context
            context.admin = identity
            context.logger[metadataKey: "admin"] = "\(identity.name)"
            return try await next(request, context)
        case .failure(let failure):
            context.logger.info("admin request refused", metadata: ["reason": "\(failure.message)"])
            return failure.response()
        }
    }
}
