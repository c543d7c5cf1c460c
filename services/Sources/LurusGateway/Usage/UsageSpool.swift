import Foundation
import LurusNATS

/// One event waiting for NATS: the subject, the JetStream message id and the payload.
struct SpooledMessage: Codable, Sendable, Equatable {
    var subject: String
    var id: String
    var payload: String

    var jetStreamMessage: JetStreamMessage {
        JetStreamMessage(subject: self.subject, payload: Array(self.payload.utf8), messageID: self.id)
    }
}

/// An append-only, fsynced file of events NATS has not acknowledged, replayed in order.
///
/// `usage.spool` holds one JSON line per event; `usage.spool.offset` the byte offset up to which
/// events have been acknowledged (written to a temporary file, fsynced, renamed). When every event
/// is acknowledged both are emptied. A line torn by a crash while appending is cut off at open.
struct UsageSpool {
    let path: String
    private let offsetPath: String
    private(set) var acknowledged: UInt64
    private(set) var size: UInt64

    init(directory: String) throws(SpoolError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw SpoolError("cannot create spool directory \(directory): \(error.localizedDescription)")
        }
        self.path = directory + "/usage.spool"
        self.offsetPath = directory + "/usage.spool.offset"
        if !FileManager.default.fileExists(atPath: self.path) {
            guard FileManager.default.createFile(atPath: self.path, contents: nil) else {
                throw SpoolError("cannot create \(self.path)")
            }
        }
        guard let contents = FileManager.default.contents(atPath: self.path) else {
            throw SpoolError("cannot read \(self.path)")
        }
        let whole = contents.lastIndex(of: 0x0A).map { UInt64($0) + 1 } ?? 0
        self.size = whole
        if whole < UInt64(contents.count) {
            try Self.truncate(self.path, to: whole)
        }
        let recorded = (FileManager.default.contents(atPath: self.offsetPath))
            .flatMap { UInt64(String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) }
        self.acknowledged = recorded ?? 0
        if self.acknowledged > whole {
            // The spool was emptied but the crash came before its offset was reset.
            self.acknowledged = 0
            try self.writeOffset()
        }
    }

    /// Nothing waits.
    var isEmpty: Bool { self.acknowledged >= self.size }

    /// Appends events and fsyncs before returning.
    mutating func append(_ messages: [SpooledMessage]) throws(SpoolError) {
        guard !messages.isEmpty else { return }
        var data = Data()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for message in messages {
            guard let line = try? encoder.encode(message) else { continue }
            data.append(line)
            data.append(0x0A)
        }
        do {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: self.path))
            defer { try? handle.close() }
            try handle.seek(toOffset: self.size)
            try handle.write(contentsOf: data)
            try handle.synchronize()
        } catch {
            throw SpoolError("cannot append to \(self.path): \(error.localizedDescription)")
        }
        self.size += UInt64(data.count)
    }

    /// Up to `limit` unacknowledged events, oldest first, each with the offset just past it.
    ///
    /// Reads a window from the acknowledged offset (1 MiB, doubled until it holds a whole line), not
    /// the rest of the file: a long outage's spool is replayed in time linear in its size.
    func pending(limit: Int) throws(SpoolError) -> [(message: SpooledMessage, end: UInt64)] {
        guard !self.isEmpty else { return [] }
        let remaining = self.size - self.acknowledged
        var window = min(remaining, 1 << 20)
        while true {
            let data: Data
            do {
                let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: self.path))
                defer { try? handle.close() }
                try handle.seek(toOffset: self.acknowledged)
                data = try handle.read(upToCount: Int(window)) ?? Data()
            } catch {
                throw SpoolError("cannot read \(self.path): \(error.localizedDescription)")
            }
            // The last piece is the part of a line the window cut (empty when it ends a line).
            let lines = data.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast()
            if lines.isEmpty && window < remaining {
                window = min(remaining, window * 2)
                continue
            }
            var result: [(SpooledMessage, UInt64)] = []
            var position = self.acknowledged
            let decoder = JSONDecoder()
            for line in lines {
                position += UInt64(line.count) + 1
                // A line that does not decode is skipped (acknowledged with the next one), not
                // retried forever.
                if let message = try? decoder.decode(SpooledMessage.self, from: Data(line)) {
                    result.append((message, position))
                    if result.count == limit { break }
                }
            }
            return result
        }
    }

    /// Records that every event before `offset` is acknowledged; empties the spool when all are.
    mutating func acknowledge(upTo offset: UInt64) throws(SpoolError) {
        self.acknowledged = min(offset, self.size)
        if self.isEmpty {
            try Self.truncate(self.path, to: 0)
            self.size = 0
            self.acknowledged = 0
        }
        try self.writeOffset()
    }

    private func writeOffset() throws(SpoolError) {
        let temporary = self.offsetPath + ".tmp"
        do {
            try Data(String(self.acknowledged).utf8).write(to: URL(fileURLWithPath: temporary))
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
            try handle.synchronize()
            try handle.close()
            guard rename(temporary, self.offsetPath) == 0 else {
                throw SpoolError("rename failed: \(String(cString: strerror(errno)))")
            }
        } catch {
            throw SpoolError("cannot record the spool offset in \(self.offsetPath): \(error.localizedDescription)")
        }
    }

    private static func truncate(_ path: String, to size: UInt64) throws(SpoolError) {
        do {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            try handle.truncate(atOffset: size)
            try handle.synchronize()
        } catch {
            throw SpoolError("cannot truncate \(path): \(error.localizedDescription)")
        }
    }
}

/// The spool cannot be used: the gateway refuses to start, or logs and keeps the event in memory.
public struct SpoolError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
