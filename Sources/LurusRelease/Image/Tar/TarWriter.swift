import Crypto
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The size and digest a local file had when it was read: a later read must find the same.
struct SourceFingerprint: Sendable, Hashable {
    var size: Int
    var digest: SHA256Digest
}

/// Writes a tar archive member by member into a sink, in chunks, hashing and counting what passes.
///
/// A file's bytes go from the disk to the sink through one buffer of `chunkSize` bytes, so a 100 MB binary
/// is never held in memory whole. The caller gives the members in the order the archive should have.
struct TarWriter<Sink: ArchiveSink>: ArchiveSink {
    private(set) var sink: Sink
    private let chunkSize: Int
    /// `chunkSize` bytes, of which the first `filled` are waiting to go out.
    private var buffer: [UInt8]
    private var filled = 0
    private var hasher = SHA256()
    /// The bytes handed to the sink so far.
    private(set) var count = 0

    init(into sink: Sink, chunkSize: Int = 1 << 20) {
        self.sink = sink
        self.chunkSize = max(chunkSize, TarHeader.blockSize)
        self.buffer = [UInt8](repeating: 0, count: self.chunkSize)
    }

    /// Adds `member`, named `imagePath` in errors; for a local file, returns what it read.
    ///
    /// `expected` is what an earlier pass read from the same local file: the file must still match it.
    @discardableResult
    mutating func append(
        _ member: TarMember,
        imagePath: String,
        expected: SourceFingerprint? = nil
    ) async throws -> SourceFingerprint? {
        switch member.content {
        case .bytes(let bytes):
            try await self.beginFile(
                member.path,
                permissions: member.permissions,
                size: bytes.count,
                imagePath: imagePath
            )
            try await self.write(bytes)
            try await self.endFile(size: bytes.count)
            return nil
        case .file(let source):
            return try await self.appendFile(member, from: source, imagePath: imagePath, expected: expected)
        case .directory:
            try await self.put(TarHeader(path: member.path, permissions: member.permissions, kind: .directory).encoded)
            return nil
        case .symbolicLink(let target):
            let header = TarHeader(
                path: member.path,
                permissions: member.permissions,
                kind: .symbolicLink(target: target)
            )
            try await self.put(header.encoded)
            return nil
        }
    }

    /// Writes the header of a regular file whose `size` bytes the caller writes next, then `endFile`.
    mutating func beginFile(_ path: String, permissions: FileMode, size: Int, imagePath: String) async throws {
        guard size <= TarHeader.maximumSize else { throw OCIImageError.fileTooLarge(path: imagePath, size: size) }
        try await self.put(TarHeader(path: path, permissions: permissions, kind: .regularFile(size: size)).encoded)
    }

    /// Pads a file's content of `size` bytes to the next block.
    mutating func endFile(size: Int) async throws {
        try await self.put([UInt8](repeating: 0, count: TarHeader.padding(after: size)))
    }

    /// Raw bytes into the archive: a file's content between `beginFile` and `endFile`.
    mutating func write(_ chunk: [UInt8]) async throws {
        try await self.put(chunk)
    }

    /// Ends the archive (two zero blocks), hands out what is buffered, and says what was written.
    mutating func finish() async throws -> (digest: SHA256Digest, size: Int) {
        try await self.put(TarHeader.endOfArchive)
        try await self.flush()
        return (SHA256Digest(self.hasher.finalize()), self.count)
    }

    private mutating func put(_ bytes: [UInt8]) async throws {
        var offset = 0
        while offset < bytes.count {
            let take = min(bytes.count - offset, self.chunkSize - self.filled)
            let filled = self.filled
            bytes.withUnsafeBytes { source in
                self.buffer.withUnsafeMutableBytes { target in
                    target.baseAddress!.advanced(by: filled)
                        .copyMemory(from: source.baseAddress!.advanced(by: offset), byteCount: take)
                }
            }
            self.filled += take
            offset += take
            if self.filled == self.chunkSize { try await self.flush() }
        }
    }

    private mutating func flush() async throws {
        guard self.filled > 0 else { return }
        // A full buffer goes out as it is; it is copied only if the sink keeps it past the next write.
        let chunk = self.filled == self.chunkSize ? self.buffer : Array(self.buffer[..<self.filled])
        chunk.withUnsafeBytes { self.hasher.update(bufferPointer: $0) }
        self.count += chunk.count
        self.filled = 0
        try await self.sink.write(chunk)
    }

    private mutating func appendFile(
        _ member: TarMember,
        from source: FilePath,
        imagePath: String,
        expected: SourceFingerprint?
    ) async throws -> SourceFingerprint {
        let unreadable = { (reason: String) in
            OCIImageError.unreadableSource(source, imagePath: imagePath, reason: reason)
        }
        let descriptor: FileDescriptor
        do {
            descriptor = try FileDescriptor.open(source, .readOnly, options: [.closeOnExec])
        } catch let error as Errno {
            throw unreadable(error.description)
        }
        defer { try? descriptor.close() }
        var status = stat()
        guard fstat(descriptor.rawValue, &status) == 0 else { throw unreadable(Errno(rawValue: errno).description) }
        guard status.st_mode & S_IFMT == S_IFREG else { throw unreadable("not a regular file") }
        let size = Int(status.st_size)
        if let expected, expected.size != size { throw OCIImageError.sourceChanged(source, imagePath: imagePath) }
        var fileHasher = SHA256()
        try await self.beginFile(member.path, permissions: member.permissions, size: size, imagePath: imagePath)
        var remaining = size
        while remaining > 0 {
            let want = min(remaining, self.chunkSize - self.filled)
            let filled = self.filled
            let read: Int
            do {
                read = try self.buffer.withUnsafeMutableBytes { buffer in
                    let target = UnsafeMutableRawBufferPointer(rebasing: buffer[filled..<filled + want])
                    let read = try descriptor.read(into: target)
                    fileHasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: target[..<read]))
                    return read
                }
            } catch let error as Errno {
                throw unreadable(error.description)
            }
            guard read > 0 else { throw OCIImageError.sourceChanged(source, imagePath: imagePath) }
            self.filled += read
            remaining -= read
            if self.filled == self.chunkSize { try await self.flush() }
        }
        // One more byte is asked for: any means the file grew since it was measured.
        var probe: UInt8 = 0
        let beyond: Int
        do {
            beyond = try withUnsafeMutableBytes(of: &probe) { try descriptor.read(into: $0) }
        } catch let error as Errno {
            throw unreadable(error.description)
        }
        guard beyond == 0 else { throw OCIImageError.sourceChanged(source, imagePath: imagePath) }
        try await self.endFile(size: size)
        let fingerprint = SourceFingerprint(size: size, digest: SHA256Digest(fileHasher.finalize()))
        if let expected, expected != fingerprint { throw OCIImageError.sourceChanged(source, imagePath: imagePath) }
        return fingerprint
    }
}
