import Foundation

/// A backup's id: the UTC second its run started, `20261203T173800Z` (ISO 8601's basic format). Ids sort
/// as their times do, so the newest backup has the greatest id; the cluster lock keeps two runs of one
/// cluster from starting in the same second.
public struct BackupID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let text: String

    static let style = Date.ISO8601FormatStyle(dateSeparator: .omitted, timeSeparator: .omitted)

    /// The id of a run that started at `date`.
    public init(startedAt date: Date) {
        self.text = Self.style.format(Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)))
    }

    /// Parses `text`; nil unless it is an id as ``init(startedAt:)`` writes them.
    public init?(_ text: String) {
        guard let date = try? Self.style.parse(text), BackupID(startedAt: date).text == text else { return nil }
        self.text = text
    }

    /// When the run started.
    public var startedAt: Date { (try? Self.style.parse(self.text)) ?? .distantPast }

    public var description: String { self.text }

    public static func < (lhs: BackupID, rhs: BackupID) -> Bool { lhs.text < rhs.text }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = BackupID(text) else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "\"\(text)\" is not a backup id (YYYYMMDDTHHMMSSZ, UTC)"
                )
            )
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.text)
    }
}
