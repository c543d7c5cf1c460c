import LurusInventory

/// The image a service's pods run, by digest: `lurus.local/SERVICE@sha256:HEX`.
///
/// By digest, not tag: a tag can point elsewhere tomorrow, and K3s's embedded mirror serves images by
/// digest; `imagePullPolicy: IfNotPresent` then never pulls what an import put on the node.
public struct PodImage: Sendable, Hashable, CustomStringConvertible {
    /// The registry host the images are named under; nothing is pulled from it.
    public static let registry = "lurus.local"

    public var component: Component
    /// `sha256:` and 64 lowercase hex digits.
    public var digest: String

    /// The image of `component` with `digest`, or an error saying what is wrong with the digest.
    public init(_ component: Component, digest: String) throws(KubernetesManifestError) {
        let hex = digest.hasPrefix("sha256:") ? digest.dropFirst("sha256:".count) : ""
        guard hex.count == 64, hex.allSatisfy({ ("0"..."9").contains($0) || ("a"..."f").contains($0) }) else {
            throw KubernetesManifestError(
                service: component.name,
                "image digest '\(digest)' is not sha256: and 64 lowercase hex digits",
                hint: "pass the digest of the image lurusctl built for this release"
            )
        }
        self.component = component
        self.digest = digest
    }

    /// `lurus.local/gateway@sha256:…`.
    public var reference: String { "\(Self.registry)/\(self.component.name)@\(self.digest)" }

    public var description: String { self.reference }
}
