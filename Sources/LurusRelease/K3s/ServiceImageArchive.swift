import Foundation
import SystemPackage

/// The OCI image archive of one service of a release, written once into the build cache beside the
/// release (`releases/ID/images/SERVICE.tar`, with `SERVICE.json` holding its digests) and streamed from
/// there to every node that may run the service. Reproducible: the same binary gives the same bytes, so the
/// same digest on every control machine.
public struct ServiceImageArchive: Sendable, Hashable {
    public var service: String
    /// The archive on this machine.
    public var path: String
    /// What the pods run: `lurus.local/SERVICE@sha256:MANIFEST`.
    public var image: PodImage
    /// The tag in the archive's index, `lurus.local/SERVICE:RELEASE`.
    public var tag: String
    public var size: Int

    /// The variable that tells a service which release it is: set in its image here, and in its
    /// deployment's environment file under the systemd runtime (`Deployment.environmentFile`).
    public static let releaseVariable = "LURUS_RELEASE"

    /// What the images of this version of lurusctl hold; a cached archive written otherwise is written again.
    static let format = 2

    /// Where the service's executable lives in its image.
    public static func executablePath(_ executable: String) -> String { "/usr/local/bin/\(executable)" }

    /// The archive of `service` for `built`: from the cache when it is there whole, else written now.
    public static func make(
        for service: ResolvedService,
        built: ServiceBuild.Built,
        cache: BuildCache
    ) async throws -> ServiceImageArchive {
        let directory = cache.release(built.id).appendingPathComponent("images")
        let archive = directory.appendingPathComponent("\(service.name).tar")
        let note = directory.appendingPathComponent("\(service.name).json")
        let tag = "\(PodImage.registry)/\(service.name):\(built.id)"
        if let cached = Self.cached(note: note, archive: archive),
            let image = try? PodImage(
                service.component,
                digest: cached.manifest
            )
        {
            return ServiceImageArchive(
                service: service.name,
                path: archive.path,
                image: image,
                tag: tag,
                size: cached.size
            )
        }
        let binary = cache.binary(service.definition.executable, of: built.id)
        guard FileManager.default.fileExists(atPath: binary.path) else {
            throw ReleaseError(
                "release \(built.id) has no binary \(service.definition.executable) in \(cache.root.path)",
                hint: "run `lurusctl deploy` again: it builds the release before writing its images"
            )
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let at = Self.executablePath(service.definition.executable)
        let description = ImageDescription(
            name: tag,
            // The service reads its release from the environment (its build_info metric).
            configuration: ImageConfiguration(entrypoint: [at], environment: [Self.releaseVariable: built.id.value]),
            files: try await LddProbe.serviceImageFiles(binary: FilePath(binary.path), at: at)
        )
        let digests = try await OCIImageWriter(description).write(to: FilePath(archive.path))
        let written = Note(
            manifest: digests.manifest.digest.description,
            size: digests.archiveSize,
            format: Self.format
        )
        try JSONEncoder().encode(written).write(to: note, options: .atomic)
        return ServiceImageArchive(
            service: service.name,
            path: archive.path,
            image: try PodImage(service.component, digest: written.manifest),
            tag: tag,
            size: written.size
        )
    }

    struct Note: Codable {
        var manifest: String
        var size: Int
        /// `format` when written; absent in notes of the first format.
        var format: Int?
    }

    /// The note of an archive written before, when the archive is there with the size it recorded.
    static func cached(note: URL, archive: URL) -> Note? {
        guard let data = try? Data(contentsOf: note), let decoded = try? JSONDecoder().decode(Note.self, from: data),
            let size = (try? FileManager.default.attributesOfItem(atPath: archive.path))?[.size] as? Int,
            size == decoded.size, decoded.format == Self.format
        else { return nil }
        return decoded
    }
}
