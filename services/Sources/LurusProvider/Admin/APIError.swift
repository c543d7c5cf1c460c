import Hummingbird
import LLMWire

/// A refused admin request: its status, the field it is about (a dotted path, when one is) and what
/// is wrong, answered as `{"error":{"field":…,"message":…}}`.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var field: String?
    public var message: String

    /// Creates an error.
    public init(_ status: HTTPResponse.Status, field: String? = nil, _ message: String) {
        self.status = status
        self.field = field
        self.message = message
    }

    /// 422: the field's value is refused.
    public static func invalid(_ field: String, _ message: String) -> APIError {
        APIError(.unprocessableContent, field: field, message)
    }

    /// 404: there is no such thing.
    public static func notFound(_ message: String) -> APIError { APIError(.notFound, message) }

    /// 409: it clashes with what exists.
    public static func conflict(_ field: String, _ message: String) -> APIError {
        APIError(.conflict, field: field, message)
    }

    public var description: String { self.field.map { "\($0): \(self.message)" } ?? self.message }

    /// The JSON body.
    public var json: JSONValue {
        var error: [String: JSONValue] = ["message": .string(self.message)]
        if let field = self.field { error["field"] = .string(field) }
        return .object(["error": .object(error)])
    }

    /// The response.
    public func response() -> Response { JSONResponse.make(self.status, self.json) }
}

/// JSON responses of the admin API.
enum JSONResponse {
    static func make(_ status: HTTPResponse.Status, _ value: JSONValue) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: value.serialized()))
        )
    }
}
