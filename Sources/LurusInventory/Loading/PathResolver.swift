import Foundation

/// Turns paths written in the inventory into absolute ones: `~/` is the user's home, and a relative path is
/// relative to the folder holding the inventory file (so an inventory works from any working directory).
public struct PathResolver: Sendable {
    public var inventoryDirectory: String
    public var homeDirectory: String

    public init(inventoryDirectory: String, homeDirectory: String) {
        self.inventoryDirectory = inventoryDirectory
        self.homeDirectory = homeDirectory
    }

    public func resolve(_ path: String) -> String {
        let absolute: String
        if path == "~" {
            absolute = self.homeDirectory
        } else if path.hasPrefix("~/") {
            absolute = self.homeDirectory + "/" + path.dropFirst(2)
        } else if path.hasPrefix("/") {
            absolute = path
        } else {
            absolute = self.inventoryDirectory + "/" + path
        }
        return URL(fileURLWithPath: absolute).standardizedFileURL.path
    }
}
