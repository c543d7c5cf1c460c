import Foundation

extension BackupManifest {
    /// The manifest as stored: JSON with sorted keys and snake_case names, times in ISO 8601 (UTC).
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(self)
    }

    /// Reads a stored manifest; a problem names `source` and the key path, and a format newer than this
    /// lurusctl's is refused rather than half read.
    public static func decode(_ data: Data, source: String) throws(BackupError) -> BackupManifest {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        struct Format: Decodable { var format: Int }
        if let format = try? decoder.decode(Format.self, from: data).format, format > Self.currentFormat {
            throw BackupError(
                "\(source): manifest format \(format) is newer than this lurusctl reads (\(Self.currentFormat))",
                fix: "use the lurusctl that made the backup, or a newer one"
            )
        }
        do {
            return try decoder.decode(BackupManifest.self, from: data)
        } catch let error as DecodingError {
            throw BackupError("\(source): not a backup manifest: \(Self.describe(error))")
        } catch {
            throw BackupError("\(source): not a backup manifest: \(error)")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.reduce(into: "") { text, key in
                if let index = key.intValue {
                    text += "[\(index)]"
                } else {
                    text += (text.isEmpty ? "" : ".") + key.stringValue
                }
            }
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context.codingPath + [key])): missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let place = path(context.codingPath)
            return (place.isEmpty ? "" : "\(place): ") + context.debugDescription
        @unknown default: return "\(error)"
        }
    }
}
