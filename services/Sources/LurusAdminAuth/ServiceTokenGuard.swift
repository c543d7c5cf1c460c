import Foundation
import Hummingbird
import LurusServiceKit

/// Guards the routes another service calls (the gateway's calls on billing and the provider service): a
/// bearer token whose SHA-256 is configured as `gateway.tokenSha256` (`GATEWAY_TOKEN_SHA256`). Without
/// the setting the routes are open, for a private network; the service says so at start.
public struct ServiceTokenGuard<Context: RequestContext>: RouterMiddleware {
    let check: StaticTokenCheck

    public init(_ check: StaticTokenCheck) {
        self.check = check
    }

    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let header = request.headers[.authorization] ?? ""
        let prefix = "Bearer "
        guard header.hasPrefix(prefix), self.check.matches(String(header.dropFirst(prefix.count))) else {
            let message =
                header.isEmpty
                ? "missing Authorization: Bearer token (the gateway's service token)"
                : "the bearer token is not the gateway's service token"
            let body = (try? JSONSerialization.data(withJSONObject: ["error": ["message": message]])) ?? Data()
            return Response(
                status: .unauthorized,
                headers: [
                    .contentType: "application/json",
                    .wwwAuthenticate: "Bearer realm=\"lurus-service\", error=\"invalid_token\"",
                ],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: body))
            )
        }
        return try await next(request, context)
    }
}

extension StaticTokenCheck {
    /// The gateway's service token's check, from `gateway.tokenSha256`; nil when it is not set.
    /// A malformed one is a `StartupError`.
    public static func gatewayToken(settings: Settings) throws(StartupError) -> StaticTokenCheck? {
        guard let hex = settings.string("gateway.tokenSha256") else { return nil }
        guard let check = StaticTokenCheck(sha256Hex: hex) else {
            throw StartupError(
                "setting gateway.tokenSha256 (GATEWAY_TOKEN_SHA256) is not a SHA-256 in hex",
                fix: "set it to the 64 hex digits `printf %s TOKEN | sha256sum` prints for the gateway's token"
            )
        }
        return check
    }
}
