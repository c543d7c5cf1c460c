import SystemPackage

/// A file, directory or symbolic link to put in an image, at an absolute path (`/usr/local/bin/gateway`).
///
/// Permissions are given, never read from the local file, so that the image does not depend on this
/// machine's umask or on how the file was copied.
public struct ImageFile: Sendable, Hashable {
    public var path: String
    public var permissions: FileMode
    public var content: TarMember.Content

    public init(_ path: String, permissions: FileMode, content: TarMember.Content) {
        self.path = path
        self.permissions = permissions
        self.content = content
    }

    /// A regular file with the bytes of the local file `source`.
    public static func file(_ path: String, from source: FilePath, permissions: FileMode = 0o644) -> ImageFile {
        ImageFile(path, permissions: permissions, content: .file(source))
    }

    /// A regular file holding `bytes`.
    public static func bytes(_ path: String, _ bytes: [UInt8], permissions: FileMode = 0o644) -> ImageFile {
        ImageFile(path, permissions: permissions, content: .bytes(bytes))
    }

    /// A directory.
    public static func directory(_ path: String, permissions: FileMode = 0o755) -> ImageFile {
        ImageFile(path, permissions: permissions, content: .directory)
    }

    /// A symbolic link to `target`.
    public static func symbolicLink(_ path: String, to target: String) -> ImageFile {
        ImageFile(path, permissions: 0o777, content: .symbolicLink(target))
    }
}
