import SystemPackage

/// Where an archive's bytes go, in order, a chunk at a time.
public protocol ArchiveSink {
    mutating func write(_ chunk: [UInt8]) async throws
}

/// Hands each chunk to a closure: a pipe to `ssh`, a socket, a test's collector.
public struct ClosureSink: ArchiveSink {
    let consume: ([UInt8]) async throws -> Void

    public init(_ consume: @escaping ([UInt8]) async throws -> Void) {
        self.consume = consume
    }

    public func write(_ chunk: [UInt8]) async throws {
        try await self.consume(chunk)
    }
}

/// Drops every chunk: for the pass that only measures and hashes an archive.
struct DiscardSink: ArchiveSink {
    func write(_ chunk: [UInt8]) {}
}

/// Writes each chunk to an open file, all of it.
struct FileSink: ArchiveSink {
    let descriptor: FileDescriptor
    let path: FilePath

    func write(_ chunk: [UInt8]) throws {
        do {
            _ = try chunk.withUnsafeBytes { try self.descriptor.writeAll($0) }
        } catch let error as Errno {
            throw OCIImageError.unwritableOutput(self.path, reason: error.description)
        }
    }
}
