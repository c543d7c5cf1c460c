/// What an image archive holds, by digest and size: what a deploy records and checks on the nodes.
public struct OCIImageDigests: Sendable, Hashable {
    /// The manifest: its digest is the image's (`ctr images ls` shows it).
    public var manifest: OCIDescriptor
    public var configuration: OCIDescriptor
    /// The one layer, uncompressed: its digest is also the configuration's `rootfs.diff_ids` entry.
    public var layer: OCIDescriptor
    /// The digest of the whole archive's bytes.
    public var archiveDigest: SHA256Digest
    public var archiveSize: Int

    public init(
        manifest: OCIDescriptor,
        configuration: OCIDescriptor,
        layer: OCIDescriptor,
        archiveDigest: SHA256Digest,
        archiveSize: Int
    ) {
        self.manifest = manifest
        self.configuration = configuration
        self.layer = layer
        self.archiveDigest = archiveDigest
        self.archiveSize = archiveSize
    }
}
