import SystemPackage

/// Why an OCI image could not be described or written: what failed, on which file, and what to do.
public enum OCIImageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A path in the image is not absolute and clean (`/usr/bin/gateway`); `reason` says what is wrong.
    case invalidPath(String, reason: String)
    /// Two files of the image have the same path.
    case duplicatePath(String)
    /// A file is placed under a path the image already holds as a file or a symbolic link.
    case pathUnderNonDirectory(String, parent: String)
    /// A symbolic link's target is empty or holds a NUL byte.
    case invalidLinkTarget(path: String, target: String)
    /// Permissions outside `0o7777` (the type bits are the writer's, not the caller's).
    case invalidPermissions(path: String, mode: FileMode)
    /// A file is too large for a tar header (8 GiB and more).
    case fileTooLarge(path: String, size: Int)
    /// A local file that goes into the image could not be opened or read.
    case unreadableSource(FilePath, imagePath: String, reason: String)
    /// A local file changed (its size or its bytes) between the two reads the writer makes of it.
    case sourceChanged(FilePath, imagePath: String)
    /// The image name is not `host/path:tag` with a tag.
    case invalidImageName(String, reason: String)
    /// The archive could not be written where it was asked for.
    case unwritableOutput(FilePath, reason: String)
    /// `ldd` printed a line the parser does not know.
    case unreadableLddLine(String)
    /// `ldd` says the binary needs libraries this machine does not have.
    case missingLibraries(binary: FilePath, names: [String])
    /// `ldd` itself failed on the binary.
    case lddFailed(binary: FilePath, reason: String)

    public var description: String {
        switch self {
        case .invalidPath(let path, let reason):
            return "image path \"\(path)\" \(reason): give an absolute path such as /usr/local/bin/gateway"
        case .duplicatePath(let path):
            return "the image lists \"\(path)\" twice: keep one entry per path"
        case .pathUnderNonDirectory(let path, let parent):
            return "image path \"\(path)\" lies under \"\(parent)\", which the image holds as a file or a "
                + "symbolic link: place it under a directory, or drop the entry for \"\(parent)\""
        case .invalidLinkTarget(let path, let target):
            return "symbolic link \"\(path)\" has the target \"\(target)\", which is empty or holds a NUL byte: "
                + "give the path it points to"
        case .invalidPermissions(let path, let mode):
            return "\"\(path)\" has the mode \(mode), outside 07777: give permission bits "
                + "only (e.g. 0o755)"
        case .fileTooLarge(let path, let size):
            return "\"\(path)\" is \(size) bytes, more than a tar header holds (8 GiB - 1): it does not belong "
                + "in a service image"
        case .unreadableSource(let source, let imagePath, let reason):
            return "cannot read \(source) (for \(imagePath) in the image): \(reason); check that it was built "
                + "and that this user may read it"
        case .sourceChanged(let source, let imagePath):
            return "\(source) (for \(imagePath) in the image) changed while the image was being written: write "
                + "the image again once nothing writes to that file (a build still running?)"
        case .invalidImageName(let name, let reason):
            return "image name \"\(name)\" \(reason): give a name such as lurus.local/gateway:RELEASEID"
        case .unwritableOutput(let path, let reason):
            return "cannot write the image archive \(path): \(reason); check that its directory exists, is "
                + "writable and has space"
        case .unreadableLddLine(let line):
            return "cannot read this line of ldd's output: \"\(line)\"; run ldd on the binary by hand to see "
                + "what it says"
        case .missingLibraries(let binary, let names):
            return "\(binary) needs \(names.joined(separator: ", ")), which this machine does not have: install "
                + "them (apt-get install the package that ships them) or link the binary statically"
        case .lddFailed(let binary, let reason):
            return "cannot list the shared libraries of \(binary): \(reason); check that it is an ELF binary "
                + "built for this machine"
        }
    }
}
