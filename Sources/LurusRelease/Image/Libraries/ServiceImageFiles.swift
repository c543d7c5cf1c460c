import SystemPackage

/// The files of a service image: the binary, the shared libraries it still loads, and a CA bundle.
///
/// A binary built with `--static-swift-stdlib` carries the Swift runtime and Foundation, but still loads
/// glibc, libm, libstdc++ and libgcc_s through the loader. The control machine is Debian 12 like the nodes,
/// so those files are copied from here, each to the path ldd resolved it to, and the loader to the path the
/// binary names. The loader finds the libraries in its built-in directories (`/lib/x86_64-linux-gnu`); the
/// image has no `ld.so.cache`. A `/tmp` (mode 1777) is there for whatever writes temporary files.
public enum ServiceImageFiles {
    /// Where the CA bundle is, here and in the image (Debian's `ca-certificates`).
    public static let caBundle: FilePath = "/etc/ssl/certs/ca-certificates.crt"

    /// The image's files for `binary`, placed at `imagePath`, given what `ldd binary` printed.
    ///
    /// Modes are fixed (0755 for the binary and the shared objects, 0644 for the bundle), not this machine's.
    public static func files(
        binary: FilePath,
        at imagePath: String,
        lddOutput: String,
        caBundle: FilePath = Self.caBundle
    ) throws(OCIImageError) -> [ImageFile] {
        let linked = try LinkedLibraries.parse(lddOutput: lddOutput, binary: binary)
        var files: [ImageFile] = [
            .file(imagePath, from: binary, permissions: 0o755),
            .file(Self.caBundle.string, from: caBundle, permissions: 0o644),
            .directory("/tmp", permissions: 0o1777),
        ]
        var placed = Set(files.map(\.path))
        let objects =
            linked.libraries.map { ($0.path.string, $0.path) } + (linked.loader.map { [($0.name, $0.path)] } ?? [])
        for (path, source) in objects where placed.insert(path).inserted {
            files.append(.file(path, from: source, permissions: 0o755))
        }
        return files
    }
}
