/// What one node's containerd holds of lurusctl's images, read from `k3s ctr -n k8s.io images ls`. Pure.
///
/// `ctr` prints a tab-aligned table: `REF TYPE DIGEST SIZE PLATFORMS LABELS`, where SIZE is two words
/// (`68.3 MiB`) and LABELS is `-` or `key=value,key=value` sorted. Newer containerd folds the CRI plugin's
/// refs of one image into its tag ref unless `--all` is given, so an image counts as present when any of its
/// refs under `lurus.local/SERVICE` targets the digest.
public struct ContainerdImages: Sendable, Hashable {
    public struct Row: Sendable, Hashable {
        public var reference: String
        /// The manifest (or index) the reference targets.
        public var digest: String
        public var labels: [String: String]

        public var pinned: Bool { self.labels[ContainerdImages.pinLabel] == "pinned" }
    }

    /// The label that keeps the kubelet's image garbage collection off an image (k3s #8781).
    public static let pinLabel = "io.cri-containerd.pinned"

    public var rows: [Row]

    public init(rows: [Row]) {
        self.rows = rows
    }

    /// The rows of `output` whose reference is under `lurus.local/`; the header and other images are left out.
    public static func parse(_ output: String) -> ContainerdImages {
        var rows: [Row] = []
        for line in output.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard fields.count >= 4, fields[0].hasPrefix(PodImage.registry + "/"), fields[2].hasPrefix("sha256:")
            else { continue }
            var labels: [String: String] = [:]
            if let last = fields.last, last != "-", last.contains("=") {
                for pair in last.split(separator: ",") {
                    let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                    if parts.count == 2 { labels[parts[0]] = parts[1] }
                }
            }
            rows.append(Row(reference: fields[0], digest: fields[2], labels: labels))
        }
        return ContainerdImages(rows: rows)
    }

    /// The refs of `image` on the node (its tag, its digest ref).
    public func rows(of image: PodImage) -> [Row] {
        let prefix = "\(PodImage.registry)/\(image.component.name)"
        return self.rows.filter { row in
            row.digest == image.digest
                && (row.reference.hasPrefix(prefix + ":") || row.reference.hasPrefix(prefix + "@"))
        }
    }

    /// Whether the node has `image`, and pinned.
    public func state(of image: PodImage) -> State {
        let rows = self.rows(of: image)
        if rows.isEmpty { return .missing }
        return rows.contains(where: \.pinned) ? .pinned : .unpinned
    }

    public enum State: Sendable, Hashable {
        case missing
        /// Present but collectable by the kubelet: it gets the pin label.
        case unpinned
        case pinned
    }

    /// The digests of `service`'s images on the node, each once.
    public func digests(of service: String) -> Set<String> {
        let prefix = "\(PodImage.registry)/\(service)"
        return Set(
            self.rows.filter { $0.reference.hasPrefix(prefix + ":") || $0.reference.hasPrefix(prefix + "@") }.map(
                \.digest
            )
        )
    }

    /// The references of `service` that target one of `digests`: what removing those images names.
    public func references(of service: String, digests: Set<String>) -> [String] {
        let prefix = "\(PodImage.registry)/\(service)"
        return self.rows.filter { row in
            digests.contains(row.digest)
                && (row.reference.hasPrefix(prefix + ":") || row.reference.hasPrefix(prefix + "@"))
        }.map(\.reference)
    }
}
