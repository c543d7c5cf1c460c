import Foundation
import LurusInventory

/// Where built releases are kept on the control machine, by release id, outside any clone: a release
/// built once (by `make test`, `make demo` or an earlier deploy) is never built again.
///
///     CACHE/releases/ID/bin/EXE        the stripped binary, as it runs on the nodes
///     CACHE/releases/ID/ship/EXE.gz    the same, compressed, as it crosses the network
///     CACHE/releases/ID/release.json   what the release is (the manifest `deploy` ships beside it)
///     CACHE/services-source/           the package as last built (`SourceMirror`): every clone builds here
///     CACHE/services-build[-release]/  SwiftPM's build folders (debug, release), kept so that a change
///                                      rebuilds only what it touches
///
/// CACHE is `LURUS_BUILD_CACHE` when set, else `$XDG_CACHE_HOME/lurusctl` or `~/.cache/lurusctl`.
public struct BuildCache: Sendable, Hashable {
    public var root: URL

    public init(root: URL) {
        self.root = root
    }

    /// The cache the environment names.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> BuildCache {
        if let explicit = environment["LURUS_BUILD_CACHE"], !explicit.isEmpty {
            return BuildCache(root: URL(fileURLWithPath: explicit))
        }
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            return BuildCache(root: URL(fileURLWithPath: xdg).appendingPathComponent("lurusctl"))
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return BuildCache(root: URL(fileURLWithPath: home).appendingPathComponent(".cache/lurusctl"))
    }

    public func release(_ id: ReleaseID) -> URL { self.root.appendingPathComponent("releases/\(id)") }
    public func binary(_ executable: String, of id: ReleaseID) -> URL {
        self.release(id).appendingPathComponent("bin/\(executable)")
    }
    public func shipped(_ executable: String, of id: ReleaseID) -> URL {
        self.release(id).appendingPathComponent("ship/\(executable).gz")
    }
    public func manifest(of id: ReleaseID) -> URL { self.release(id).appendingPathComponent("release.json") }
    public var source: URL { self.root.appendingPathComponent("services-source") }
    public func scratch(_ configuration: DeploySettings.Build) -> URL {
        self.root.appendingPathComponent(configuration == .debug ? "services-build" : "services-build-release")
    }
}
