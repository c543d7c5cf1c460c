/// The members of an image's one layer, in the order the archive holds them.
///
/// Paths are checked and made relative (`usr/local/bin/gateway`); each directory a file lies in gets a member
/// of its own (mode 0755) unless the description gives one; members are sorted by their paths' UTF-8 bytes,
/// which puts every directory before what it holds.
public struct ImageLayer: Sendable, Hashable {
    public var members: [TarMember]

    public init(_ files: [ImageFile]) throws(OCIImageError) {
        var byPath: [String: TarMember] = [:]
        for file in files {
            let path = try Self.relativePath(file.path)
            guard file.permissions.rawValue & ~0o7777 == 0 else {
                throw .invalidPermissions(path: file.path, mode: file.permissions)
            }
            if case .symbolicLink(let target) = file.content, target.isEmpty || target.utf8.contains(0) {
                throw .invalidLinkTarget(path: file.path, target: target)
            }
            guard byPath[path] == nil else { throw .duplicatePath(file.path) }
            byPath[path] = TarMember(path, permissions: file.permissions, content: file.content)
        }
        for path in Array(byPath.keys) {
            var parent = Substring(path)
            while let slash = parent.lastIndex(of: "/") {
                parent = parent[..<slash]
                let key = String(parent)
                if let existing = byPath[key] {
                    guard existing.content == .directory else {
                        throw .pathUnderNonDirectory("/" + path, parent: "/" + key)
                    }
                } else {
                    byPath[key] = TarMember(key, permissions: 0o755, content: .directory)
                }
            }
        }
        self.members = byPath.values.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
    }

    /// `/usr/bin/x` as the layer spells it (`usr/bin/x`), or why it cannot be in an image.
    static func relativePath(_ path: String) throws(OCIImageError) -> String {
        guard path.hasPrefix("/") else { throw .invalidPath(path, reason: "is not absolute") }
        guard !path.utf8.contains(0) else { throw .invalidPath(path, reason: "holds a NUL byte") }
        let components = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        guard !(components.count == 1 && components[0].isEmpty) else {
            throw .invalidPath(path, reason: "is the root, which every image has")
        }
        for component in components {
            if component.isEmpty { throw .invalidPath(path, reason: "has an empty component (// or a trailing /)") }
            if component == "." || component == ".." { throw .invalidPath(path, reason: "has a . or .. component") }
        }
        return String(path.dropFirst())
    }
}
