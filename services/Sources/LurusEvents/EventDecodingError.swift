#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An event payload that cannot be read: which event, which field, what is wrong with it.
///
/// A consumer should not acknowledge such a message as processed: terminate it (it will never
/// read) and log this description, which carries the start of the payload.
public struct EventDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of event, e.g. "usage record".
    public var event: String
    /// The field's key path in the JSON, e.g. "outcome"; empty for the payload as a whole.
    public var field: String
    /// What is wrong.
    public var problem: String
    /// The payload's first 200 bytes, as text.
    public var payloadStart: String

    /// Creates an error.
    public init(event: String, field: String = "", problem: String, payload: some Collection<UInt8>) {
        self.event = event
        self.field = field
        self.problem = problem
        self.payloadStart = String(decoding: payload.prefix(200), as: UTF8.self)
    }

    init(event: String, _ error: DecodingError, payload: some Collection<UInt8>) {
        let path: [any CodingKey]
        let problem: String
        switch error {
        case .keyNotFound(let key, let context):
            path = context.codingPath + [key]
            problem = "is missing"
        case .typeMismatch(let type, let context):
            path = context.codingPath
            problem = "is not \(Self.describe(type)): \(context.debugDescription)"
        case .valueNotFound(let type, let context):
            path = context.codingPath
            problem = "is null, not \(Self.describe(type))"
        case .dataCorrupted(let context):
            path = context.codingPath
            problem = path.isEmpty ? "is not JSON: \(Self.underlying(context))" : context.debugDescription
        @unknown default:
            path = []
            problem = "\(error)"
        }
        self.init(
            event: event,
            field: path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: "."),
            problem: problem,
            payload: payload
        )
    }

    /// One line: `usage record: field outcome "x" is not a known outcome (ok, …); payload starts {…}`.
    public var description: String {
        let subject = self.field.isEmpty ? "the payload" : "field \(self.field)"
        return "\(self.event): \(subject) \(self.problem); payload starts \(self.payloadStart)"
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        default: "\(type)"
        }
    }

    private static func underlying(_ context: DecodingError.Context) -> String {
        context.underlyingError.map { "\($0)" } ?? context.debugDescription
    }
}
