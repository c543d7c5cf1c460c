import SystemPackage

/// One member of a tar archive the writer makes: its path in the archive, its permissions and what it is.
///
/// The path is relative and `/`-separated, without a trailing slash (the writer adds it to directories).
public struct TarMember: Sendable, Hashable {
    /// What a member holds.
    public enum Content: Sendable, Hashable {
        /// A regular file with these bytes.
        case bytes([UInt8])
        /// A regular file with the bytes of this local file, read in chunks when the archive is written.
        case file(FilePath)
        /// A directory.
        case directory
        /// A symbolic link to this target (absolute or relative).
        case symbolicLink(String)
    }

    public var path: String
    public var permissions: FileMode
    public var content: Content

    public init(_ path: String, permissions: FileMode, content: Content) {
        self.path = path
        self.permissions = permissions
        self.content = content
    }
}
