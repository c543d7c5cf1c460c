/// The JSON documents of an OCI image layout, as pure functions of the image and its layer.
public enum OCIDocuments {
    /// The image's creation time: the epoch, as Jib writes it (the layer's files are 1 s after it).
    public static let created = "1970-01-01T00:00:00Z"

    /// The `oci-layout` file.
    public static let layout = CanonicalJSON.object(["imageLayoutVersion": .string("1.0.0")])

    /// The image configuration: platform, start-up configuration and the layer's uncompressed digest.
    public static func configuration(
        _ configuration: ImageConfiguration,
        platform: ImagePlatform,
        layerDiffID: SHA256Digest
    ) -> CanonicalJSON {
        var config: [String: CanonicalJSON] = [:]
        if !configuration.entrypoint.isEmpty {
            config["Entrypoint"] = .array(configuration.entrypoint.map { .string($0) })
        }
        if !configuration.command.isEmpty { config["Cmd"] = .array(configuration.command.map { .string($0) }) }
        if !configuration.environment.isEmpty {
            let keys = configuration.environment.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            config["Env"] = .array(keys.map { .string($0 + "=" + configuration.environment[$0]!) })
        }
        if let directory = configuration.workingDirectory { config["WorkingDir"] = .string(directory) }
        if let user = configuration.user { config["User"] = .string(user) }
        if !configuration.exposedPorts.isEmpty {
            config["ExposedPorts"] = .object(
                Dictionary(uniqueKeysWithValues: configuration.exposedPorts.map { ($0.description, .object([:])) })
            )
        }
        if !configuration.labels.isEmpty { config["Labels"] = .object(configuration.labels.mapValues { .string($0) }) }
        return .object([
            "architecture": .string(platform.architecture),
            "os": .string(platform.operatingSystem),
            "created": .string(Self.created),
            "config": .object(config),
            "rootfs": .object(["type": .string("layers"), "diff_ids": .array([.string(layerDiffID.description)])]),
        ])
    }

    /// The image manifest: the configuration and the one layer.
    public static func manifest(configuration: OCIDescriptor, layer: OCIDescriptor) -> CanonicalJSON {
        .object([
            "schemaVersion": .integer(2),
            "mediaType": .string(OCIDescriptor.MediaType.manifest),
            "config": .object(configuration.json),
            "layers": .array([.object(layer.json)]),
        ])
    }

    /// The layout's `index.json`: the manifest, named for containerd (`io.containerd.image.name`, the whole
    /// name) and for OCI tools (`org.opencontainers.image.ref.name`, the tag, as `ctr images export` writes it).
    public static func index(manifest: OCIDescriptor, name: ImageReference, platform: ImagePlatform) -> CanonicalJSON {
        var entry = manifest.json
        entry["annotations"] = .object([
            "io.containerd.image.name": .string(name.description),
            "org.opencontainers.image.ref.name": .string(name.tag),
        ])
        entry["platform"] = .object([
            "architecture": .string(platform.architecture), "os": .string(platform.operatingSystem),
        ])
        return .object([
            "schemaVersion": .integer(2),
            "mediaType": .string(OCIDescriptor.MediaType.index),
            "manifests": .array([.object(entry)]),
        ])
    }
}
