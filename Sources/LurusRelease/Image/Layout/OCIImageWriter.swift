import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes an image as an OCI image layout archive, the tar `ctr images import` reads.
///
/// The archive holds `oci-layout`, `index.json` and, under `blobs/sha256/`, the configuration, the manifest
/// and one uncompressed layer. The same description gives the same bytes: members in a fixed order, fixed
/// times and owners, canonical JSON, and nothing taken from the local files but their bytes.
///
/// The layer is never stored: a first pass reads the local files to learn its digest and size (which the
/// configuration, the manifest and the layer's own tar header need first), and the second pass reads them
/// again straight into the archive, insisting that each file still has the size and digest it had.
public struct OCIImageWriter: Sendable {
    public let image: ImageDescription
    public let reference: ImageReference
    public let layer: ImageLayer
    /// The size of the chunks handed to the sink (the last one may be shorter).
    public var chunkSize: Int

    /// Checks the description: its name, and every path, mode and link target.
    public init(_ image: ImageDescription, chunkSize: Int = 1 << 20) throws(OCIImageError) {
        self.image = image
        self.reference = try ImageReference(parsing: image.name)
        self.layer = try ImageLayer(image.files)
        self.chunkSize = chunkSize
    }

    /// Streams the archive into `sink`, a chunk at a time.
    public func write(into sink: some ArchiveSink) async throws -> OCIImageDigests {
        var measuring = TarWriter(into: DiscardSink(), chunkSize: self.chunkSize)
        var fingerprints: [SourceFingerprint?] = []
        for member in self.layer.members {
            fingerprints.append(try await measuring.append(member, imagePath: "/" + member.path))
        }
        let measured = try await measuring.finish()
        let layer = OCIDescriptor(
            mediaType: OCIDescriptor.MediaType.layer,
            digest: measured.digest,
            size: measured.size
        )
        let configurationBytes = OCIDocuments.configuration(
            self.image.configuration,
            platform: self.image.platform,
            layerDiffID: layer.digest
        ).bytes
        let configuration = OCIDescriptor.of(configurationBytes, mediaType: OCIDescriptor.MediaType.config)
        let manifestBytes = OCIDocuments.manifest(configuration: configuration, layer: layer).bytes
        let manifest = OCIDescriptor.of(manifestBytes, mediaType: OCIDescriptor.MediaType.manifest)
        let indexBytes = OCIDocuments.index(manifest: manifest, name: self.reference, platform: self.image.platform)
            .bytes

        var archive = TarWriter(into: sink, chunkSize: self.chunkSize)
        try await archive.append(TarMember("blobs", permissions: 0o755, content: .directory), imagePath: "blobs")
        try await archive.append(TarMember("blobs/sha256", permissions: 0o755, content: .directory), imagePath: "blobs")
        let blobs: [(OCIDescriptor, [UInt8]?)] = [
            (configuration, configurationBytes), (manifest, manifestBytes), (layer, nil),
        ]
        for (descriptor, bytes) in blobs.sorted(by: { $0.0.digest < $1.0.digest }) {
            let path = "blobs/sha256/" + descriptor.digest.hex
            if let bytes {
                try await archive.append(TarMember(path, permissions: 0o644, content: .bytes(bytes)), imagePath: path)
                continue
            }
            try await archive.beginFile(path, permissions: 0o644, size: layer.size, imagePath: path)
            var layerWriter = TarWriter(into: consume archive, chunkSize: self.chunkSize)
            for (member, fingerprint) in zip(self.layer.members, fingerprints) {
                try await layerWriter.append(member, imagePath: "/" + member.path, expected: fingerprint)
            }
            let written = try await layerWriter.finish()
            archive = layerWriter.sink
            // Every local file matched its first read, so the layer is the one measured.
            assert(written.digest == layer.digest && written.size == layer.size)
            try await archive.endFile(size: layer.size)
        }
        try await archive.append(
            TarMember("index.json", permissions: 0o644, content: .bytes(indexBytes)),
            imagePath: "index.json"
        )
        let layoutBytes = OCIDocuments.layout.bytes
        try await archive.append(
            TarMember("oci-layout", permissions: 0o644, content: .bytes(layoutBytes)),
            imagePath: "oci-layout"
        )
        let whole = try await archive.finish()
        return OCIImageDigests(
            manifest: manifest,
            configuration: configuration,
            layer: layer,
            archiveDigest: whole.digest,
            archiveSize: whole.size
        )
    }

    /// Writes the archive to `path`, whole or not at all: into a temporary file beside it, renamed at the end
    /// (a watcher such as K3s's images directory never sees half an archive).
    public func write(to path: FilePath) async throws -> OCIImageDigests {
        let name = path.lastComponent?.string ?? "image.tar"
        let temporary = path.removingLastComponent().appending(".\(name).partial-\(getpid())")
        let descriptor: FileDescriptor
        do {
            descriptor = try FileDescriptor.open(
                temporary,
                .writeOnly,
                options: [.create, .truncate, .closeOnExec],
                permissions: FilePermissions(rawValue: 0o644)
            )
        } catch let error as Errno {
            throw OCIImageError.unwritableOutput(path, reason: error.description)
        }
        let digests: OCIImageDigests
        do {
            digests = try await self.write(into: FileSink(descriptor: descriptor, path: path))
        } catch {
            try? descriptor.close()
            unlink(temporary.string)
            throw error
        }
        do {
            try descriptor.close()
        } catch let error as Errno {
            unlink(temporary.string)
            throw OCIImageError.unwritableOutput(path, reason: error.description)
        }
        guard rename(temporary.string, path.string) == 0 else {
            let reason = Errno(rawValue: errno).description
            unlink(temporary.string)
            throw OCIImageError.unwritableOutput(path, reason: reason)
        }
        return digests
    }
}
