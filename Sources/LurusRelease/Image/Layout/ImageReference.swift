/// An image's name, `repository:tag` (`lurus.local/gateway:RELEASEID`), as containerd records it.
public struct ImageReference: Sendable, Hashable, CustomStringConvertible {
    /// `lurus.local/gateway`.
    public var repository: String
    /// `RELEASEID`.
    public var tag: String

    /// Reads `name`, which must carry a tag: a release is told apart by it.
    public init(parsing name: String) throws(OCIImageError) {
        let lastSlash = name.lastIndex(of: "/")
        guard let colon = name.lastIndex(of: ":"), lastSlash.map({ colon > $0 }) ?? true else {
            throw .invalidImageName(name, reason: "has no tag")
        }
        let repository = String(name[..<colon])
        let tag = String(name[name.index(after: colon)...])
        let components = repository.split(separator: "/", omittingEmptySubsequences: false)
        let componentCharacters = Set("abcdefghijklmnopqrstuvwxyz0123456789._-")
        // The first of several components may be a registry host with a port (`localhost:5000`).
        let valid = components.enumerated().allSatisfy { index, component in
            let allowed = index == 0 && components.count > 1 ? componentCharacters.union([":"]) : componentCharacters
            return !component.isEmpty && component.allSatisfy(allowed.contains)
        }
        guard valid else {
            throw .invalidImageName(name, reason: "has a repository that is not lowercase letters, digits, . _ - and /")
        }
        let tagCharacters = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")
        guard (1...128).contains(tag.count), tag.first != ".", tag.first != "-", tag.allSatisfy(tagCharacters.contains)
        else {
            throw .invalidImageName(name, reason: "has a tag that is not 1 to 128 letters, digits, . _ -")
        }
        self.repository = repository
        self.tag = tag
    }

    public var description: String { self.repository + ":" + self.tag }
}
