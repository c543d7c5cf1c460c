import Foundation
import LurusTestSupport
import Testing

@testable import LurusRelease

/// A fresh directory under the system's temporary directory, removed by the caller's `defer`.
func makeScratchDirectory(_ label: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("lurus-image-\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The permission bits of the file at `path` (not following a symbolic link).
func permissions(at path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.posixPermissions] as! NSNumber).intValue
}

/// Runs a tool the tests need, failing with what to install when it is not there.
func runTool(
    _ executable: String,
    _ arguments: [String],
    environment: [String: String] = [:],
    installedBy package: String
) async throws -> ProcessRunner.Result {
    try #require(
        FileManager.default.isExecutableFile(atPath: executable),
        "\(executable) is missing: install the Debian package \(package) (scripts/setup installs it)"
    )
    return try await ProcessRunner.run(executable, arguments, environment: environment, timeout: 120)
}

/// Collects an archive's chunks in memory, and the chunks' sizes.
actor ChunkCollector {
    private(set) var bytes: [UInt8] = []
    private(set) var chunkSizes: [Int] = []

    func add(_ chunk: [UInt8]) {
        self.bytes += chunk
        self.chunkSizes.append(chunk.count)
    }
}

extension ChunkCollector {
    /// A sink that hands every chunk to this collector.
    nonisolated var sink: ClosureSink {
        ClosureSink { chunk in await self.add(chunk) }
    }
}
