import Foundation
import LurusInventory

/// The control machine's state for one cluster: `.lurus/CLUSTER/` beside the inventory file (generated
/// secrets, the local audit log, fetched kubeconfigs). Private: the directory is 0700, its files 0600, and
/// `.lurus/` is in `.gitignore`.
public struct StateDirectory: Sendable, Hashable {
    public var path: String

    public init(path: String) {
        self.path = path
    }

    /// The state directory of `inventory`'s cluster.
    public init(for inventory: Inventory) {
        let directory = (inventory.path as NSString).deletingLastPathComponent
        let base = directory.isEmpty ? "." : directory
        self.path = "\(base)/.lurus/\(inventory.cluster)"
    }

    /// A path inside the directory.
    public func file(_ name: String) -> String { "\(self.path)/\(name)" }

    /// Creates the directory (and `subdirectory`) with mode 0700 if missing, and tightens it if looser.
    @discardableResult
    public func prepare(_ subdirectory: String? = nil) throws -> String {
        let target = subdirectory.map { self.file($0) } ?? self.path
        let manager = FileManager.default
        try manager.createDirectory(
            atPath: target,
            withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700]
        )
        for path in [self.path, target] {
            try manager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: path)
        }
        return target
    }
}
