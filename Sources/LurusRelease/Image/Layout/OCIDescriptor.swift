/// A blob as OCI documents point to it: its media type, digest and size.
public struct OCIDescriptor: Sendable, Hashable {
    public var mediaType: String
    public var digest: SHA256Digest
    public var size: Int

    public init(mediaType: String, digest: SHA256Digest, size: Int) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
    }

    /// The descriptor of `bytes`.
    static func of(_ bytes: [UInt8], mediaType: String) -> OCIDescriptor {
        OCIDescriptor(mediaType: mediaType, digest: .of(bytes), size: bytes.count)
    }

    var json: [String: CanonicalJSON] {
        ["mediaType": .string(self.mediaType), "digest": .string(self.digest.description), "size": .integer(self.size)]
    }

    public enum MediaType {
        public static let layer = "application/vnd.oci.image.layer.v1.tar"
        public static let config = "application/vnd.oci.image.config.v1+json"
        public static let manifest = "application/vnd.oci.image.manifest.v1+json"
        public static let index = "application/vnd.oci.image.index.v1+json"
    }
}
