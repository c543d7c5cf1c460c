import Crypto
import Foundation

/// The files of the services package that make its build: `Package.swift`, `Package.resolved` when there
/// is one (the pins), and everything under `Sources/`. Tests, benchmarks and build folders do not count.
public enum BuildInputs {
    /// The inputs under `package` (the services package's directory), with their digests.
    public static func read(package: URL) throws(ReleaseError) -> [ReleaseID.Input] {
        var paths = ["Package.swift"]
        if FileManager.default.fileExists(atPath: package.appendingPathComponent("Package.resolved").path) {
            paths.append("Package.resolved")
        }
        let sources = package.appendingPathComponent("Sources")
        guard FileManager.default.fileExists(atPath: sources.path),
            let walker = FileManager.default.enumerator(atPath: sources.path)
        else {
            throw ReleaseError("cannot read \(sources.path)", hint: "is this the services package?")
        }
        while let relative = walker.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let full = sources.appendingPathComponent(relative).path
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue
            else { continue }
            paths.append("Sources/\(relative)")
        }
        return try paths.map { path throws(ReleaseError) in
            guard let data = FileManager.default.contents(atPath: package.appendingPathComponent(path).path) else {
                throw ReleaseError(
                    "cannot read \(package.appendingPathComponent(path).path)",
                    hint: "check its permissions"
                )
            }
            return ReleaseID.Input(path: path, digest: Array(SHA256.hash(data: data)))
        }
    }
}
