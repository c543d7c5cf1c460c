import Foundation
import Hummingbird
import LLMWire

/// An error answer: `{"error": {"message": …, "field": …}}` with its status. Messages say what is wrong
/// and what would be right; they never echo a secret.
public struct APIError: Error, HTTPResponseError, Equatable {
    public var status: HTTPResponse.Status
    public var message: String
    public var field: String?

    public init(_ status: HTTPResponse.Status, _ message: String, field: String? = nil) {
        self.status = status
        self.message = message
        self.field = field
    }

    static func invalid(_ field: String, _ message: String) -> APIError {
        APIError(.unprocessableContent, "\(field) \(message)", field: field)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if self.status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        var error: [String: JSONValue] = ["message": .string(self.message)]
        if let field = self.field { error["field"] = .string(field) }
        return Response(
            status: self.status,
            headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSONValue.object(["error": .object(error)]).serialized()))
        )
    }
}

/// JSON answers.
enum JSONAnswer {
    static func response(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(
            status: status,
            headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: value.serialized()))
        )
    }
}

/// A request's JSON object, read field by field: a missing, mistyped or unknown field is a 422 naming it.
struct JSONFields {
    private let members: [String: JSONValue]

    /// Reads at most 64 KiB of `request`'s body as a JSON object whose keys are all in `allowed`.
    static func read(_ request: Request, allowed: Set<String>) async throws -> JSONFields {
        let buffer = try await request.body.collect(upTo: 64 << 10)
        guard case .object(let members)? = try? JSONValue.parse(buffer.readableBytesView) else {
            throw APIError(.badRequest, "the body must be a JSON object")
        }
        if let unknown = members.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw APIError.invalid(
                unknown,
                "is not a field here (allowed: \(allowed.sorted().joined(separator: ", ")))"
            )
        }
        return JSONFields(members: members)
    }

    private func value(_ name: String) -> JSONValue? {
        guard let value = self.members[name], value != .null else { return nil }
        return value
    }

    func string(_ name: String, required: Bool = false, maxLength: Int = 200) throws(APIError) -> String? {
        guard let value = self.value(name) else {
            if required { throw .invalid(name, "is required") }
            return nil
        }
        guard case .string(let text) = value else { throw .invalid(name, "must be a string") }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if required && trimmed.isEmpty { throw .invalid(name, "must not be empty") }
        guard trimmed.count <= maxLength else { throw .invalid(name, "must be at most \(maxLength) characters") }
        return trimmed
    }

    func integer(_ name: String, range: ClosedRange<Int>) throws(APIError) -> Int? {
        guard let value = self.value(name) else { return nil }
        guard case .integer(let integer) = value, range.contains(integer) else {
            throw .invalid(name, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return integer
    }

    /// Dollars, given as a decimal string ("12.50", exact) or a number; at most six decimals.
    func money(_ name: String, required: Bool = false) throws(APIError) -> Micros? {
        guard let value = self.value(name) else {
            if required { throw .invalid(name, "is required") }
            return nil
        }
        let text: String
        switch value {
        case .string(let string): text = string.trimmingCharacters(in: .whitespaces)
        case .integer(let integer): text = String(integer)
        case .number(let number): text = String(number)
        default: throw .invalid(name, "must be an amount of dollars such as \"12.50\"")
        }
        guard let micros = Micros(decimal: text) else {
            throw .invalid(name, "must be an amount of dollars with at most six decimals, such as \"12.50\"")
        }
        return micros
    }
}
