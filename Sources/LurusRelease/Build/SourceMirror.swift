import Foundation

/// A copy of the services package at a fixed place in the build cache, updated file by file: SwiftPM's
/// build folder records absolute source paths, so building every clone from the same place lets a second
/// clone (CI's fresh one, say) reuse what the first compiled; a file whose bytes did not change keeps its
/// time stamp, so only what changed is compiled again.
enum SourceMirror {
    /// What is copied: the manifest, the pins, and the target folders (tests too: the manifest names them).
    static let roots = ["Package.swift", "Package.resolved", "Sources", "Tests"]

    /// Makes `destination` hold exactly the package's `roots` of `package`; returns the files written.
    @discardableResult
    static func sync(_ package: URL, to destination: URL) throws(ReleaseError) -> Int {
        let files = FileManager.default
        var wanted = Set<String>()
        for root in self.roots {
            let source = package.appendingPathComponent(root)
            var isDirectory: ObjCBool = false
            guard files.fileExists(atPath: source.path, isDirectory: &isDirectory) else { continue }
            if !isDirectory.boolValue {
                wanted.insert(root)
                continue
            }
            guard let walker = files.enumerator(atPath: source.path) else { continue }
            while let relative = walker.nextObject() as? String {
                var inner: ObjCBool = false
                if files.fileExists(atPath: source.appendingPathComponent(relative).path, isDirectory: &inner),
                    !inner.boolValue
                {
                    wanted.insert("\(root)/\(relative)")
                }
            }
        }
        var written = 0
        for path in wanted.sorted() {
            let from = package.appendingPathComponent(path)
            let to = destination.appendingPathComponent(path)
            guard let bytes = files.contents(atPath: from.path) else {
                throw ReleaseError("cannot read \(from.path)", hint: "check its permissions")
            }
            if files.contents(atPath: to.path) == bytes { continue }
            do {
                try files.createDirectory(at: to.deletingLastPathComponent(), withIntermediateDirectories: true)
                try bytes.write(to: to, options: .atomic)
            } catch {
                throw ReleaseError("cannot write \(to.path): \(error)", hint: "check the build cache's permissions")
            }
            written += 1
        }
        // Files the package no longer has would still be compiled: remove them.
        for root in self.roots {
            let mirrored = destination.appendingPathComponent(root)
            guard let walker = files.enumerator(atPath: mirrored.path) else { continue }
            while let relative = walker.nextObject() as? String {
                let full = mirrored.appendingPathComponent(relative)
                var isDirectory: ObjCBool = false
                if files.fileExists(atPath: full.path, isDirectory: &isDirectory), !isDirectory.boolValue,
                    !wanted.contains("\(root)/\(relative)")
                {
                    try? files.removeItem(at: full)
                }
            }
        }
        return written
    }
}
