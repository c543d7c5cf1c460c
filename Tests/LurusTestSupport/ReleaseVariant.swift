import Foundation

/// The repository's services with one line added to the gateway's `main.swift`: another release id, built
/// like any (and kept in the build cache, so a later run ships it without compiling).
public enum ReleaseVariant {
    /// The copy's path, `/tmp/lurus-release-NAME`; with `atTop` the line goes after the imports.
    public static func make(_ name: String, line: String, atTop: Bool = false) throws -> String {
        let services = Repository.path("services")
        let copy = "/tmp/lurus-release-\(name)"
        let files = FileManager.default
        try? files.removeItem(atPath: copy)
        try files.createDirectory(atPath: copy, withIntermediateDirectories: true)
        for item in ["Package.swift", "Package.resolved", "Sources", "Tests"]
        where files.fileExists(atPath: "\(services)/\(item)") {
            try files.copyItem(atPath: "\(services)/\(item)", toPath: "\(copy)/\(item)")
        }
        let main = "\(copy)/Sources/lurus-gateway/main.swift"
        let text = try String(contentsOfFile: main, encoding: .utf8)
        let changed: String
        if atTop {
            // After the imports, before anything runs.
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let index = (lines.lastIndex { $0.hasPrefix("import ") } ?? -1) + 1
            lines.insert(line, at: index)
            changed = lines.joined(separator: "\n")
        } else {
            changed = text + "\n\(line)\n"
        }
        try changed.write(toFile: main, atomically: true, encoding: .utf8)
        return copy
    }
}
