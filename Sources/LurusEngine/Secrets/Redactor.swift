import Foundation

/// Replaces secret values in text with `‹secret NAME›`: a second line of defence for plans, logs and errors.
///
/// Values shorter than 6 bytes are left alone: they would match ordinary words.
public struct Redactor: Sendable {
    /// Values worth looking for, longest first so that a value containing another is replaced whole.
    private let values: [(text: String, name: String)]

    /// The shortest value that is replaced.
    public static let minimumLength = 6

    public init(_ secrets: [Secret]) {
        self.values =
            secrets
            .filter { $0.bytes.count >= Self.minimumLength }
            .compactMap { secret in String(validating: secret.bytes, as: UTF8.self).map { ($0, secret.name) } }
            .sorted { $0.text.utf8.count > $1.text.utf8.count }
    }

    /// `text` with every occurrence of every value replaced.
    public func redact(_ text: String) -> String {
        var text = text
        for value in self.values {
            text = text.replacingOccurrences(of: value.text, with: "‹secret \(value.name)›")
        }
        return text
    }
}
