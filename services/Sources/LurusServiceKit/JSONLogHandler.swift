import Foundation
import Logging
import Synchronization

/// A swift-log handler writing one JSON object per line: time, level, logger, message, metadata.
///
/// Written by hand: swift-log ships only a plain-text stream handler, and the JSON handlers in the
/// swift-log ecosystem are not in the available package set.
public struct JSONLogHandler: LogHandler {
    /// The handler's minimum level.
    public var logLevel: Logger.Level
    /// Metadata attached to every record of this logger.
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let output: LogOutput

    /// A handler writing to standard error.
    public init(label: String, level: Logger.Level = .info) {
        self.init(label: label, level: level, output: .standardError)
    }

    init(label: String, level: Logger.Level, output: LogOutput) {
        self.label = label
        self.logLevel = level
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var record: [String: Any] = [
            "time": Self.timestamp(),
            "level": event.level.rawValue,
            "logger": self.label,
            "message": event.message.description,
        ]
        let merged = self.metadata.merging(event.metadata ?? [:]) { _, new in new }
        for (key, value) in merged where record[key] == nil {
            record[key] = Self.jsonObject(value)
        }
        guard
            var line = try? JSONSerialization.data(
                withJSONObject: record,
                options: [.sortedKeys, .withoutEscapingSlashes]
            )
        else { return }
        line.append(0x0A)
        self.output.write(line)
    }

    private static func jsonObject(_ value: Logger.MetadataValue) -> Any {
        switch value {
        case .string(let string): return string
        case .stringConvertible(let convertible): return convertible.description
        case .array(let values): return values.map(Self.jsonObject)
        case .dictionary(let values): return values.mapValues(Self.jsonObject)
        }
    }

    private static func timestamp() -> String {
        Date.now.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

/// Where JSON log lines go: one locked file handle, so lines from many tasks never interleave.
final class LogOutput: Sendable {
    static let standardError = LogOutput(handle: .standardError)
    private let handle: Mutex<FileHandle>

    init(handle: FileHandle) {
        self.handle = Mutex(handle)
    }

    func write(_ line: Data) {
        self.handle.withLock { handle in
            try? handle.write(contentsOf: line)
        }
    }
}
